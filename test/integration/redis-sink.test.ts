/**
 * The Redis sink as a service (a child process) on real Kafka, the registry
 * and the project's Redis, each test under its own topic prefix and key
 * prefix: the projection equals the input's final states exactly; duplicates,
 * a replay from the earliest offset and stale records leave it unchanged;
 * tombstones delete; bad records go to the dead-letter topics while the rest
 * flows; an unreachable registry pauses the sink without dead-lettering
 * anything; a SIGTERM flushes the pending batch; two instances share the work;
 * behind the order aggregator, Redis equals the pure fold of the events.
 */
import type { ChildProcess } from 'node:child_process';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import { foldOrder } from '../../lib/domain/orders/fold';
import { DEAD_LETTER_HEADER } from '../../lib/streaming/dead-letter';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import type { OrderState } from '../../schemas/generated/types';
import { redisKeys } from '../../sinks/redis/keys';
import { eventsByOrder } from '../fixtures/generated-stream';
import { config } from './support/env';
import {
  committedCount,
  createTestPipeline,
  exited,
  produce,
  readAll,
  resetGroupToEarliest,
  spawnProcessor,
  TestPipeline,
  waitFor,
  waitForCaughtUp,
} from './support/pipeline';
import { dumpRedis, expectedRedisDump } from './support/redis-dump';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';
import { sinkGroup, sinkMetric, spawnSink, SpawnedSink, TcpRelay } from './support/sink';
import { expectedProjection, redisSinkTopics, sinkInput, sinkRecords } from './support/sink-fixtures';

const KEY_PREFIX = 'sf-test:';
const redis = createRedis(config.redis);
const children: ChildProcess[] = [];
const prefixes: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

/** The sink's key prefix on this pipeline: REDIS_KEY_PREFIX + TOPIC_PREFIX. */
function keyPrefix(pipeline: TestPipeline): string {
  const prefix = `${KEY_PREFIX}${pipeline.prefix}`;
  if (!prefixes.includes(prefix)) prefixes.push(prefix);
  return prefix;
}

async function start(pipeline: TestPipeline, env: Record<string, string> = {}): Promise<SpawnedSink> {
  const sink = await spawnSink('redis', pipeline, { REDIS_KEY_PREFIX: KEY_PREFIX, ...env });
  children.push(sink.child);
  return sink;
}

const group = (pipeline: TestPipeline) => sinkGroup(pipeline, 'redis-sink');
const caughtUp = (pipeline: TestPipeline) => waitForCaughtUp(pipeline, group(pipeline), redisSinkTopics(pipeline));

async function stop(sink: SpawnedSink): Promise<void> {
  sink.child.kill('SIGTERM');
  expect(await exited(sink.child)).toBe(0);
}

test('Redis equals the final states exactly; duplicates and a replay from the earliest offset leave it unchanged', async () => {
  const pipeline = await createTestPipeline('redis-sink-exact');
  const prefix = keyPrefix(pipeline);
  const input = sinkInput(21, { orders: 600, customers: 30, versions: 66 });
  const expected = expectedRedisDump(prefix, expectedProjection(input));
  // 22 alerts per customer: the newest 20 are kept
  expect(Object.values(expected).some((v) => v.type === 'zset' && v.value.length === 20)).toBe(true);
  await produce(pipeline, sinkRecords(pipeline, input));

  const first = await start(pipeline);
  await caughtUp(pipeline);
  const dump = await dumpRedis(redis, prefix);
  expect(dump).toEqual(expected);

  // the same input delivered again
  await produce(pipeline, sinkRecords(pipeline, input));
  await caughtUp(pipeline);
  expect(await dumpRedis(redis, prefix)).toEqual(dump);
  await stop(first);

  // a rebuild: the group reset to the earliest offsets, everything consumed again
  await resetGroupToEarliest(pipeline, group(pipeline), redisSinkTopics(pipeline));
  const second = await start(pipeline);
  await caughtUp(pipeline);
  expect(await dumpRedis(redis, prefix)).toEqual(dump);
  // every script call of the replay found Redis as new or newer
  expect(await sinkMetric(second.httpPort, 'sink_redis_operations_total', { result: 'skipped' })).toBeGreaterThan(0);
  expect((await sinkMetric(second.httpPort, 'sink_redis_operations_total', { result: 'applied' })) ?? 0).toBe(0);
  await stop(second);
});

test('a stale record after a newer one moves nothing back; tombstones delete the order, its index entry and the counters', async () => {
  const pipeline = await createTestPipeline('redis-sink-gate');
  const prefix = keyPrefix(pipeline);
  const keys = redisKeys(prefix);
  const input = sinkInput(22, { orders: 200, customers: 10, versions: 6 });
  await produce(pipeline, sinkRecords(pipeline, input));
  await start(pipeline);
  await caughtUp(pipeline);
  const settled = await dumpRedis(redis, prefix);
  expect(settled).toEqual(expectedRedisDump(prefix, expectedProjection(input)));

  // every order's first state and every customer's first counters, again, after the newest
  const firsts = new Map(input.states.map((s) => [s.key, s] as const).reverse());
  const firstCounters = new Map(input.counters.map((c) => [c.key, c] as const).reverse());
  await produce(pipeline, sinkRecords(pipeline, { states: [...firsts.values()], counters: [...firstCounters.values()] }));
  await caughtUp(pipeline);
  expect(await dumpRedis(redis, prefix)).toEqual(settled);

  // tombstones: one order, one customer's counters
  const [victim] = [...expectedProjection(input).orders.values()];
  const [counterVictim] = firstCounters.keys();
  await produce(pipeline, [
    { topic: pipeline.topics.orderState, key: victim!.orderId, value: null },
    { topic: pipeline.topics.fraudCounters, key: counterVictim!, value: null },
  ]);
  await caughtUp(pipeline);
  const remaining = expectedProjection(input);
  const orders = new Map(remaining.orders);
  orders.delete(victim!.orderId);
  const counters = new Map(remaining.counters);
  counters.delete(counterVictim!);
  const after = await dumpRedis(redis, prefix);
  expect(after).toEqual(expectedRedisDump(prefix, { ...remaining, orders, counters }));
  expect(after[keys.order(victim!.orderId)]).toBeUndefined();
  expect(await redis.zscore(keys.customerOrders(victim!.customerId), victim!.orderId)).toBeNull();
  expect(after[keys.fraudCounters(counterVictim!)]).toBeUndefined();
});

test('undecodable and refused records go to the dead-letter topics with their headers while the rest flows', async () => {
  const pipeline = await createTestPipeline('redis-sink-dlq');
  const prefix = keyPrefix(pipeline);
  const keys = redisKeys(prefix);
  const input = sinkInput(23, { orders: 60, customers: 5, versions: 3 });
  const projection = expectedProjection(input);
  const [someone, occupied] = [...projection.orders.values()];
  // a key another program wrote with another type: Redis refuses the sink's script (WRONGTYPE)
  await redis.set(keys.order(occupied!.orderId), 'not a hash');
  const notAvro = Buffer.from('{"json":"not avro"}');
  const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 0x02]);
  await produce(pipeline, [
    { topic: pipeline.topics.orderState, key: 'poison-1', value: notAvro },
    { topic: pipeline.topics.orderState, key: 'poison-2', value: unknownId },
    { topic: pipeline.topics.orderState, key: 'wrong-key', value: { type: 'OrderState', value: someone! } },
    { topic: pipeline.topics.fraudAlerts, key: 'cust-gone', value: null },
    ...sinkRecords(pipeline, input),
  ]);

  // dead letters are logged as warnings: expected here
  await start(pipeline, { LOG_LEVEL: 'error' });
  await caughtUp(pipeline);

  const dlq = await readAll(pipeline, `${pipeline.topics.orderState}.dlq`);
  const codes = new Map<string, string[]>();
  for (const m of dlq) {
    const key = m.key!.toString();
    codes.set(key, [...(codes.get(key) ?? []), m.headers![DEAD_LETTER_HEADER.errorCode]!.toString()]);
  }
  expect(codes.get('poison-1')).toEqual(['decode:bad-magic-byte']);
  expect(codes.get('poison-2')).toEqual(['decode:unknown-schema-id']);
  expect(codes.get('wrong-key')).toEqual(['KEY_MISMATCH']);
  const occupiedStates = input.states.filter((s) => s.key === occupied!.orderId).length;
  expect(codes.get(occupied!.orderId)).toEqual(Array(occupiedStates).fill('redis:WRONGTYPE'));
  expect(codes.size).toBe(4);
  const poison = dlq.find((m) => m.key!.toString() === 'poison-1')!;
  expect(poison.value).toEqual(notAvro); // the original bytes
  const header = (name: string) => poison.headers![name]!.toString();
  expect(header(DEAD_LETTER_HEADER.sourceTopic)).toBe(pipeline.topics.orderState);
  expect(header(DEAD_LETTER_HEADER.processor)).toBe(group(pipeline));
  expect(header(DEAD_LETTER_HEADER.sourcePartition)).toMatch(/^\d+$/);
  expect(Number(header(DEAD_LETTER_HEADER.sourceOffset))).toBeGreaterThanOrEqual(0);
  expect(header(DEAD_LETTER_HEADER.errorMessage)).toMatch(/magic byte/);

  const alertDlq = await readAll(pipeline, `${pipeline.topics.fraudAlerts}.dlq`);
  expect(alertDlq.map((m) => [m.key!.toString(), m.headers![DEAD_LETTER_HEADER.errorCode]!.toString()])).toEqual([['cust-gone', 'TOMBSTONE']]);

  // everything else flowed
  const orders = new Map(projection.orders);
  orders.delete(occupied!.orderId);
  expect(await dumpRedis(redis, prefix)).toEqual({
    ...expectedRedisDump(prefix, { ...projection, orders }),
    [keys.order(occupied!.orderId)]: { type: 'other', value: 'string' },
  });
});

test('the schema registry unreachable: the sink dead-letters nothing and commits nothing, and completes exactly once it is back', async () => {
  const pipeline = await createTestPipeline('redis-sink-registry');
  const prefix = keyPrefix(pipeline);
  const input = sinkInput(27, { orders: 150, customers: 6, versions: 4 });
  await produce(pipeline, sinkRecords(pipeline, input));
  const relay = new TcpRelay(new URL(config.schemaRegistry.url));
  await relay.up(); // takes a port for the relay, then the registry goes away behind it
  await relay.down();
  try {
    // failed decodes and retries are logged as warnings: expected here
    const sink = await start(pipeline, { SCHEMA_REGISTRY_URL: relay.url(), SINK_RETRY_MAX_MS: '500', LOG_LEVEL: 'error' });
    await waitFor(async () => (await sinkMetric(sink.httpPort, 'sink_write_failures_total', { reason: 'decode' })) !== undefined, 'a failed decode');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await sinkMetric(sink.httpPort, 'sink_dead_letters_total')) ?? 0).toBe(0);
    expect(await committedCount(pipeline, group(pipeline), redisSinkTopics(pipeline))).toBe(0);
    expect(await dumpRedis(redis, prefix)).toEqual({});

    await relay.up();
    await caughtUp(pipeline);
    expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, expectedProjection(input)));
    for (const topic of redisSinkTopics(pipeline)) expect(await readAll(pipeline, `${topic}.dlq`)).toEqual([]);
  } finally {
    await relay.down();
  }
});

test('SIGTERM writes and commits the pending batch before leaving', async () => {
  const pipeline = await createTestPipeline('redis-sink-stop');
  const prefix = keyPrefix(pipeline);
  const input = sinkInput(24, { orders: 100, customers: 4, versions: 3 });
  const records = sinkRecords(pipeline, input);
  await produce(pipeline, records);
  // batches that neither fill nor expire: only the stop writes them
  const sink = await start(pipeline, { SINK_BATCH_MAX_RECORDS: '1000000', SINK_BATCH_MAX_DELAY_MS: '600000' });
  await waitFor(async () => (await sinkMetric(sink.httpPort, 'sink_records_in_total')) === records.length, 'every record consumed');
  expect(await committedCount(pipeline, group(pipeline), redisSinkTopics(pipeline))).toBe(0);
  expect(await dumpRedis(redis, prefix)).toEqual({});

  await stop(sink);
  expect(await committedCount(pipeline, group(pipeline), redisSinkTopics(pipeline))).toBe(records.length);
  expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, expectedProjection(input)));
});

test('two instances share the partitions; when one leaves mid-stream the other takes over and Redis stays exact', async () => {
  const pipeline = await createTestPipeline('redis-sink-pair');
  const prefix = keyPrefix(pipeline);
  const input = sinkInput(25, { orders: 800, customers: 12, versions: 8 });
  const records = sinkRecords(pipeline, input);
  const half = Math.floor(records.length / 2);
  const settings = { SINK_SESSION_TIMEOUT_MS: '6000', SINK_BATCH_MAX_RECORDS: '200' };
  const a = await start(pipeline, settings);
  const b = await start(pipeline, settings);
  await produce(pipeline, records.slice(0, half));
  await waitFor(async () => (await committedCount(pipeline, group(pipeline), redisSinkTopics(pipeline))) > 0, 'a first commit');

  await stop(a);
  await produce(pipeline, records.slice(half));
  await caughtUp(pipeline);
  expect(b.child.exitCode).toBeNull();
  expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, expectedProjection(input)));
});

test('behind the order aggregator (transactional input): Redis equals the fold of the events and the group reaches the end of orders.state', async () => {
  const pipeline = await createTestPipeline('redis-sink-e2e');
  const prefix = keyPrefix(pipeline);
  const events = [...generateLifecycles({ seed: 26, customers: 100, orders: 400 })].filter((r) => r.topic !== TOPIC.customers);
  await produce(
    pipeline,
    events.map((r) => ({ topic: r.topic === TOPIC.orderEvents ? pipeline.topics.orderEvents : pipeline.topics.paymentEvents, key: r.key, value: r.event })),
  );
  const aggregator = await spawnProcessor('order-aggregator', pipeline);
  children.push(aggregator);
  await start(pipeline);
  await waitForCaughtUp(pipeline, `${pipeline.prefix}order-aggregator`, [pipeline.topics.orderEvents, pipeline.topics.paymentEvents]);
  // orders.state ends with transaction markers: the sink must commit past them to be caught up
  await caughtUp(pipeline);

  const orders = new Map<string, OrderState>();
  for (const [orderId, history] of eventsByOrder(events)) {
    const { state } = foldOrder(history);
    if (state) orders.set(orderId, state);
  }
  expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, { orders, counters: new Map(), alerts: [] }));
});
