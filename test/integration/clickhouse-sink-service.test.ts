/**
 * The ClickHouse sink as a service (sinks/clickhouse/main.ts in a child
 * process) on real Kafka, the registry and ClickHouse 18.16: every record of
 * a generated stream (events, order states, alerts) produced to a test's own
 * topics is in the analytics tables once the sink's group has committed its
 * offsets, the documented queries answer what the fold says, and the whole
 * input produced a second time (a duplicated delivery) changes no answer.
 */
import type { ChildProcess } from 'node:child_process';
import type { TaggedValue } from '../../lib/serde';
import { TOPIC } from '../../lib/topics';
import { createClickHouse } from '../../lib/clients/clickhouse';
import type { ConsumedRecord } from '../../sinks/clickhouse/rows';
import { CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL, buildClickHouseDataset } from '../fixtures/clickhouse-dataset';
import {
  expectedDailySkuSales,
  expectedOrderFunnel,
  expectedOrdersByStatus,
  expectedRevenuePerDay,
  expectedTopSkus,
  expectedCustomersWithMostAlerts,
  expectedCustomerOrderStats,
} from '../fixtures/clickhouse-expected';
import { AnalyticsResults, TOP_LIMIT, runDocumentedQueries } from './support/clickhouse-analytics';
import { config, uniqueName } from './support/env';
import { OutgoingRecord, TestPipeline, committedCount, createTestPipeline, exited, produce, waitForCaughtUp } from './support/pipeline';
import { TcpRelay, spawnSink } from './support/sink';

const databases: string[] = [];
const admin = createClickHouse(config.clickhouse, 'default');
const dataset = buildClickHouseDataset(CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL);
const firstDay = dataset.events[0]!.value.envelope.occurredAt.toISOString().slice(0, 10);
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
  }
});

afterAll(async () => {
  for (const database of databases) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
});

function newDatabase(): string {
  const database = uniqueName('chsvc').replace(/-/g, '_');
  databases.push(database);
  return database;
}

/** The record key each topic is keyed by (lib/topics.ts). */
function keyOf(value: TaggedValue): string {
  const v = value.value as { envelope?: { aggregateId: string }; orderId?: string; customerId?: string };
  if (value.type === 'OrderState') return v.orderId!;
  if (value.type === 'FraudAlert') return v.customerId!;
  return v.envelope!.aggregateId;
}

function toTopics(pipeline: TestPipeline, records: readonly ConsumedRecord[]): OutgoingRecord[] {
  return records.map((r) => ({ topic: `${pipeline.prefix}${r.topic}`, key: keyOf(r.value!), value: r.value! }));
}

async function startSink(pipeline: TestPipeline, database: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const { child } = await spawnSink('clickhouse', pipeline, { CLICKHOUSE_DATABASE: database, SINK_BATCH_MAX_DELAY_MS: '200', ...env });
  children.push(child);
  return child;
}

function expectAsTheFoldSays(results: AnalyticsResults): void {
  expect(results.revenuePerDay).toEqual(expectedRevenuePerDay(dataset));
  expect(results.dailySkuSales).toEqual(expectedDailySkuSales(dataset));
  expect(results.topSkus).toEqual(expectedTopSkus(dataset, TOP_LIMIT));
  expect(results.ordersByStatus).toEqual(expectedOrdersByStatus(dataset));
  expect(results.orderFunnel).toEqual([expectedOrderFunnel(dataset)]);
  expect(results.customersWithMostAlerts).toEqual(expectedCustomersWithMostAlerts(dataset, TOP_LIMIT));
  expect(results.customerOrderStats).toEqual(expectedCustomerOrderStats(dataset, TOP_LIMIT));
}

const plain = (results: AnalyticsResults): unknown => JSON.parse(JSON.stringify(results));

test('a stream through the sink service answers every query as the fold says, and a duplicated delivery changes nothing', async () => {
  const database = newDatabase();
  const pipeline = await createTestPipeline('chsvc');
  const inputs = [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.orderState, TOPIC.fraudAlerts].map((t) => `${pipeline.prefix}${t}`);
  const group = `${pipeline.prefix}clickhouse-sink`;
  await produce(pipeline, toTopics(pipeline, dataset.records));
  await startSink(pipeline, database);
  await waitForCaughtUp(pipeline, group, inputs, 120_000);

  const results = await runDocumentedQueries(admin, database, [], firstDay);
  expectAsTheFoldSays(results);

  await produce(pipeline, toTopics(pipeline, dataset.records));
  await waitForCaughtUp(pipeline, group, inputs, 120_000);
  expect(plain(await runDocumentedQueries(admin, database, [], firstDay))).toEqual(plain(results));
}, 300_000);

test('ClickHouse gone mid-stream: the sink commits nothing it did not write, and catches up exactly once it is back', async () => {
  const database = newDatabase();
  const pipeline = await createTestPipeline('chout');
  const inputs = [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.orderState, TOPIC.fraudAlerts].map((t) => `${pipeline.prefix}${t}`);
  const group = `${pipeline.prefix}clickhouse-sink`;
  const relay = new TcpRelay(new URL(config.clickhouse.url));
  await relay.up();
  try {
    const half = Math.floor(dataset.records.length / 2);
    await produce(pipeline, toTopics(pipeline, dataset.records.slice(0, half)));
    await startSink(pipeline, database, { CLICKHOUSE_URL: relay.url(), SINK_RETRY_MAX_MS: '500' });
    await waitForCaughtUp(pipeline, group, inputs, 120_000);
    const before = await committedCount(pipeline, group, inputs);
    expect(before).toBe(half);

    await relay.down();
    await produce(pipeline, toTopics(pipeline, dataset.records.slice(half)));
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // nothing written, so nothing committed: the new records wait in Kafka
    expect(await committedCount(pipeline, group, inputs)).toBe(before);

    await relay.up();
    await waitForCaughtUp(pipeline, group, inputs, 120_000);
    expectAsTheFoldSays(await runDocumentedQueries(admin, database, [], firstDay));
  } finally {
    await relay.down();
  }
}, 300_000);
