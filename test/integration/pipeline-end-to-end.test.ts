/**
 * End to end: generated lifecycles of a few thousand orders (with injected
 * fraud) through the validator, the order aggregator and the fraud detector
 * into both sinks, all as services on real Kafka, the registry, Redis and
 * ClickHouse. Redis and ClickHouse then agree exactly with the pure fold of
 * the same events: every order's state, the counts per status, and the
 * revenue (captured minus refunded); the fraud projections agree with the
 * detector's topics. The whole input delivered again, and both sinks
 * rebuilt from the earliest offsets, change neither store.
 */
import { createClickHouse } from '../../lib/clients/clickhouse';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import { foldOrder } from '../../lib/domain/orders/fold';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import type { FraudAlert, FraudCounters, OrderState } from '../../schemas/generated/types';
import { ordersByStatus, runQuery, StatusCount } from '../../sinks/clickhouse/queries';
import { intColumn, selectRows, stringColumn } from '../../sinks/clickhouse/result-values';
import { compareText } from '../fixtures/clickhouse-expected';
import { eventsByOrder } from '../fixtures/generated-stream';
import { config, uniqueName } from './support/env';
import {
  createTestPipeline,
  exited,
  latestValues,
  produce,
  readAll,
  resetGroupToEarliest,
  spawnProcessor,
  trackChildren,
  waitForCaughtUp,
} from './support/pipeline';
import { dumpRedis, expectedRedisDump, RedisDump } from './support/redis-dump';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';
import { sinkGroup, spawnSink, SpawnedSink } from './support/sink';
import { redisSinkTopics } from './support/sink-fixtures';

const ORDERS = 3_000;
const KEY_PREFIX = 'sf-test:';
const CATCH_UP_MS = 240_000;

const track = trackChildren();
const redis = createRedis(config.redis);
const clickhouse = createClickHouse(config.clickhouse, 'default');
const database = uniqueName('e2e').replace(/-/g, '_');
let redisPrefix: string | undefined;

afterAll(async () => {
  if (redisPrefix !== undefined) await deleteKeysWithPrefix(redis, redisPrefix);
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await Promise.all([redis.quit(), clickhouse.close()]);
});

/** One order as both stores are compared on it. */
interface OrderFacts {
  readonly status: string;
  readonly totalCents: number;
  readonly version: number;
  readonly paymentVersion: number;
  readonly capturedCents: number;
  readonly refundedCents: number;
}

const factsOf = (state: OrderState): OrderFacts => ({
  status: state.status,
  totalCents: state.totalCents,
  version: state.version,
  paymentVersion: state.paymentVersion,
  capturedCents: state.amountCapturedCents,
  refundedCents: state.amountRefundedCents,
});

function statusCounts(orders: Iterable<OrderFacts>): StatusCount[] {
  const counts = new Map<string, number>();
  for (const { status } of orders) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => compareText(a, b)).map(([status, count]) => ({ status, orders: count }));
}

/** Net revenue (captured − refunded) per currency, cents. */
type Revenue = Record<string, number>;

function foldRevenue(states: Iterable<OrderState>): Revenue {
  const revenue: Revenue = {};
  for (const s of states) revenue[s.currency] = (revenue[s.currency] ?? 0) + s.amountCapturedCents - s.amountRefundedCents;
  return revenue;
}

async function clickhouseOrders(): Promise<Map<string, OrderFacts>> {
  const where = 'order_state FINAL';
  const rows = await selectRows(
    clickhouse,
    `SELECT order_id, status, total_cents, version, payment_version, amount_captured_cents, amount_refunded_cents FROM ${database}.order_state FINAL`,
  );
  return new Map(
    rows.map((row) => [
      stringColumn(row, 'order_id', where),
      {
        status: stringColumn(row, 'status', where),
        totalCents: intColumn(row, 'total_cents', where),
        version: intColumn(row, 'version', where),
        paymentVersion: intColumn(row, 'payment_version', where),
        capturedCents: intColumn(row, 'amount_captured_cents', where),
        refundedCents: intColumn(row, 'amount_refunded_cents', where),
      },
    ]),
  );
}

/** Revenue the cash way, from the payments table (every capture and refund event), per currency. */
async function clickhousePaymentsRevenue(): Promise<Revenue> {
  const where = 'payments FINAL';
  const rows = await selectRows(
    clickhouse,
    `SELECT currency, sumIf(amount_cents, event_type = 'PaymentCaptured') - sumIf(amount_cents, event_type = 'RefundIssued') AS net_cents
FROM ${database}.payments FINAL
WHERE event_type IN ('PaymentCaptured', 'RefundIssued')
GROUP BY currency`,
  );
  return Object.fromEntries(rows.map((row) => [stringColumn(row, 'currency', where), intColumn(row, 'net_cents', where)]));
}

/** Everything the test compares, read from both stores, so a second reading can be compared with the first. */
interface Snapshot {
  readonly redis: RedisDump;
  readonly orders: Map<string, OrderFacts>;
  readonly statuses: StatusCount[];
  readonly revenue: Revenue;
  readonly alertIds: string[];
  /** Distinct events in the events table. */
  readonly events: number;
}

async function snapshot(prefix: string): Promise<Snapshot> {
  const [events] = await selectRows(clickhouse, `SELECT uniqExact(event_id) AS events FROM ${database}.events`);
  const alerts = await selectRows(clickhouse, `SELECT alert_id FROM ${database}.fraud_alerts FINAL ORDER BY alert_id`);
  return {
    redis: await dumpRedis(redis, prefix),
    orders: await clickhouseOrders(),
    statuses: await runQuery(clickhouse, ordersByStatus(database)),
    revenue: await clickhousePaymentsRevenue(),
    alertIds: alerts.map((row) => stringColumn(row, 'alert_id', 'fraud_alerts')),
    events: intColumn(events ?? {}, 'events', 'events'),
  };
}

async function stop(sink: SpawnedSink): Promise<void> {
  sink.child.kill('SIGTERM');
  expect(await exited(sink.child)).toBe(0);
}

test(`${ORDERS} generated orders through the processors into Redis and ClickHouse: both equal the fold; a second delivery and a rebuild change nothing`, async () => {
  const pipeline = await createTestPipeline('e2e');
  redisPrefix = `${KEY_PREFIX}${pipeline.prefix}`;
  const generated = [...generateLifecycles({ seed: 41, orders: ORDERS, customers: ORDERS / 4 })];
  const topicOf = {
    [TOPIC.customers]: pipeline.topics.customers,
    [TOPIC.orderEvents]: pipeline.topics.orderEvents,
    [TOPIC.paymentEvents]: pipeline.topics.paymentEvents,
  };
  const input = generated.map((r) => ({ topic: topicOf[r.topic], key: r.key, value: r.event }));
  const events = generated.filter((r) => r.topic !== TOPIC.customers);

  // the pure fold of the same events: the ground truth
  const folded = new Map<string, OrderState>();
  for (const [orderId, history] of eventsByOrder(events)) {
    const { state, rejections } = foldOrder(history);
    expect(rejections).toEqual([]);
    if (state) folded.set(orderId, state);
  }
  expect(folded.size).toBe(ORDERS);

  await produce(pipeline, input);
  track(await spawnProcessor('validator', pipeline));
  track(await spawnProcessor('order-aggregator', pipeline));
  // the validator forwards partitions' batches interleaved, so the detector logs late events as warnings: expected here
  track(await spawnProcessor('fraud-detector', pipeline, { LOG_LEVEL: 'error' }));
  const sinkEnv = { REDIS_KEY_PREFIX: KEY_PREFIX, CLICKHOUSE_DATABASE: database, SINK_BATCH_MAX_DELAY_MS: '200' };
  const startSinks = async () => {
    const sinks = [await spawnSink('redis', pipeline, sinkEnv), await spawnSink('clickhouse', pipeline, sinkEnv)];
    for (const sink of sinks) track(sink.child);
    return sinks;
  };
  const clickhouseTopics = [pipeline.topics.orderEvents, pipeline.topics.paymentEvents, pipeline.topics.orderState, pipeline.topics.fraudAlerts];
  const sinkInputs = { 'redis-sink': redisSinkTopics(pipeline), 'clickhouse-sink': clickhouseTopics };
  const allCaughtUp = async () => {
    const eventTopics = [pipeline.topics.orderEvents, pipeline.topics.paymentEvents];
    await waitForCaughtUp(pipeline, `${pipeline.prefix}validator`, eventTopics, CATCH_UP_MS);
    await waitForCaughtUp(pipeline, `${pipeline.prefix}order-aggregator`, eventTopics, CATCH_UP_MS);
    await waitForCaughtUp(pipeline, `${pipeline.prefix}fraud-detector`, [pipeline.topics.customerActivity], CATCH_UP_MS);
    for (const [service, topics] of Object.entries(sinkInputs)) await waitForCaughtUp(pipeline, sinkGroup(pipeline, service), topics, CATCH_UP_MS);
  };
  const sinks = await startSinks();
  await allCaughtUp();

  // Redis: every key equals what the sink writes for the fold's states and the fraud detector's latest counters and alerts
  const counters = new Map<string, FraudCounters>();
  for (const [customerId, value] of await latestValues<FraudCounters>(pipeline, pipeline.topics.fraudCounters))
    if (value !== null) counters.set(customerId, value);
  const alerts = await Promise.all(
    (await readAll(pipeline, pipeline.topics.fraudAlerts)).map(
      async (m) => (await pipeline.codec.decode(pipeline.topics.fraudAlerts, m.value!)).value as FraudAlert,
    ),
  );
  expect(alerts.length).toBeGreaterThan(0); // the injected fraud patterns raised some
  const first = await snapshot(redisPrefix);
  expect(first.redis).toEqual(expectedRedisDump(redisPrefix, { orders: folded, counters, alerts }));

  // ClickHouse: every order's state, the counts per status, the revenue, every event and alert once
  const expectedOrders = new Map([...folded].map(([orderId, state]) => [orderId, factsOf(state)]));
  expect(first.orders).toEqual(expectedOrders);
  expect(first.statuses).toEqual(statusCounts(expectedOrders.values()));
  expect(first.revenue).toEqual(foldRevenue(folded.values()));
  expect(first.events).toBe(events.length);
  expect(first.alertIds).toEqual([...new Set(alerts.map((a) => a.alertId))].sort(compareText));

  // the same input delivered again, through every stage: duplicates everywhere, nothing changes
  await produce(pipeline, input);
  await allCaughtUp();
  const second = await snapshot(redisPrefix);
  expect(second).toEqual(first);

  // both sinks rebuilt from the earliest offsets over stores that already hold everything
  for (const sink of sinks) await stop(sink);
  for (const [service, topics] of Object.entries(sinkInputs)) await resetGroupToEarliest(pipeline, sinkGroup(pipeline, service), topics);
  await startSinks(); // tracked: stopped after the test
  await allCaughtUp();
  expect(await snapshot(redisPrefix)).toEqual(first);
}, 600_000);
