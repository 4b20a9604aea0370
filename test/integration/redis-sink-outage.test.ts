/**
 * The Redis sink through Redis outages, on a private redis-server (the
 * project's Redis is shared and must never be stopped): consumption pauses
 * and nothing is committed while Redis is down, the sink resumes by itself
 * when Redis is back (reloading its Lua scripts, which a restart drops), and
 * the projection ends exact. A sink killed during an outage has committed
 * nothing that Redis does not hold.
 */
import type { ChildProcess } from 'node:child_process';
import type Redis from 'ioredis';
import { committedOffsets as groupOffsets } from '../../lib/admin/committed-offsets';
import { createRedis } from '../../lib/clients/redis';
import type { FraudCounters, OrderState } from '../../schemas/generated/types';
import { PrivateRedis, startPrivateRedis } from '../../sinks/bench/private-redis';
import { redisKeys } from '../../sinks/redis/keys';
import { config } from './support/env';
import { createTestPipeline, exited, produce, readAll, TestPipeline, waitFor, waitForCaughtUp, withAdmin } from './support/pipeline';
import { dumpRedis, expectedRedisDump } from './support/redis-dump';
import { sinkGroup, sinkHealth, sinkMetric, spawnSink, SpawnedSink } from './support/sink';
import { expectedProjection, redisSinkTopics, sinkInput, sinkRecords } from './support/sink-fixtures';

const KEY_PREFIX = 'sf-test:';
let server: PrivateRedis;
let redis: Redis;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // 'always': every write Redis acknowledged survives its stop, as on a real server with fsync
  server = await startPrivateRedis({ persistence: 'always' });
  redis = createRedis({ ...config.redis, url: server.url, username: undefined, password: undefined });
});

afterAll(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  redis.disconnect();
  await server.close();
});

async function start(pipeline: TestPipeline): Promise<SpawnedSink> {
  const sink = await spawnSink('redis', pipeline, {
    REDIS_URL: server.url,
    REDIS_KEY_PREFIX: KEY_PREFIX,
    // small batches so the stream is still flowing when Redis stops; quick retries so the test is short
    SINK_BATCH_MAX_RECORDS: '100',
    SINK_RETRY_MAX_MS: '1000',
    // connection errors and retries are logged as warnings: expected here
    LOG_LEVEL: process.env.SINK_LOG_LEVEL ?? 'error',
    SINK_SESSION_TIMEOUT_MS: '6000',
  });
  children.push(sink.child);
  return sink;
}

/** Committed offset per `topic/partition`. */
async function committedOffsets(pipeline: TestPipeline, groupId: string): Promise<Map<string, number>> {
  const committed = await withAdmin(pipeline.kafkaConfig, (admin) => groupOffsets(admin, groupId));
  const out = new Map<string, number>();
  for (const topic of redisSinkTopics(pipeline)) {
    for (const [partition, offset] of committed.get(topic) ?? []) out.set(`${topic}/${partition}`, offset);
  }
  return out;
}

const sum = (offsets: Map<string, number>) => [...offsets.values()].reduce((a, b) => a + b, 0);

test('Redis down mid-stream: the sink pauses, commits nothing, resumes by itself, and the result is exact', async () => {
  const pipeline = await createTestPipeline('redis-sink-outage');
  const group = sinkGroup(pipeline, 'redis-sink');
  const prefix = `${KEY_PREFIX}${pipeline.prefix}`;
  const input = sinkInput(31, { orders: 1500, customers: 20, versions: 12 });
  const records = sinkRecords(pipeline, input);
  const half = Math.floor(records.length / 2);
  await produce(pipeline, records.slice(0, half));

  const sink = await start(pipeline);
  await waitFor(async () => sum(await committedOffsets(pipeline, group)) > 0, 'a first commit');
  await server.stop();
  // the rest arrives while Redis is down: the sink has work it cannot do
  await produce(pipeline, records.slice(half));
  await waitFor(async () => (await sinkMetric(sink.httpPort, 'sink_paused')) === 1, 'consumption paused');
  const whileDown = await committedOffsets(pipeline, group);
  expect(sum(whileDown)).toBeLessThan(records.length);
  expect((await sinkHealth(sink.httpPort))?.status).toBe(503);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(await committedOffsets(pipeline, group)).toEqual(whileDown); // nothing committed while nothing can be written
  expect(await sinkMetric(sink.httpPort, 'sink_write_retries_total')).toBeGreaterThan(0);

  await server.start();
  await waitForCaughtUp(pipeline, group, redisSinkTopics(pipeline));
  expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, expectedProjection(input)));
  expect(await sinkMetric(sink.httpPort, 'sink_paused')).toBe(0);
  expect(await sinkMetric(sink.httpPort, 'sink_redis_script_reloads_total')).toBeGreaterThanOrEqual(1);
  expect((await sinkHealth(sink.httpPort))?.status).toBe(200);
});

test('a sink killed while Redis is down has committed nothing Redis does not hold; a new one completes it exactly', async () => {
  const pipeline = await createTestPipeline('redis-sink-outage-kill');
  const group = sinkGroup(pipeline, 'redis-sink');
  const prefix = `${KEY_PREFIX}${pipeline.prefix}`;
  const keys = redisKeys(prefix);
  const input = sinkInput(32, { orders: 1500, customers: 20, versions: 12 });
  const records = sinkRecords(pipeline, input);
  const half = Math.floor(records.length / 2);
  await produce(pipeline, records.slice(0, half));

  const first = await start(pipeline);
  await waitFor(async () => sum(await committedOffsets(pipeline, group)) > 0, 'a first commit');
  await server.stop();
  await produce(pipeline, records.slice(half));
  await waitFor(async () => (await sinkMetric(first.httpPort, 'sink_paused')) === 1, 'consumption paused');
  first.child.kill('SIGKILL');
  await exited(first.child);
  const committed = await committedOffsets(pipeline, group);
  expect(sum(committed)).toBeLessThan(records.length);

  // Redis back, no sink running: every record below a committed offset must already be in Redis
  await server.start();
  let checked = 0;
  for (const topic of [pipeline.topics.orderState, pipeline.topics.fraudCounters]) {
    for (const message of await readAll(pipeline, topic)) {
      if (Number(message.offset) >= (committed.get(`${topic}/${message.partition}`) ?? 0)) continue;
      const decoded = await pipeline.codec.decode(topic, message.value!);
      if (decoded.type === 'OrderState') {
        const state = decoded.value as OrderState;
        const [version, paymentVersion] = await redis.hmget(keys.order(state.orderId), 'version', 'paymentVersion');
        const stored = [Number(version ?? -1), Number(paymentVersion ?? -1)] as const;
        const ok = stored[0] > state.version || (stored[0] === state.version && stored[1] >= state.paymentVersion);
        expect(ok ? 'written' : `order ${state.orderId} v${state.version}/${state.paymentVersion} committed but Redis has ${stored.join('/')}`).toBe('written');
      } else {
        const counters = decoded.value as FraudCounters;
        expect(Number((await redis.hget(keys.fraudCounters(counters.customerId), 'version')) ?? -1)).toBeGreaterThanOrEqual(counters.version);
      }
      checked += 1;
    }
  }
  expect(checked).toBeGreaterThan(0);

  await start(pipeline);
  await waitForCaughtUp(pipeline, group, redisSinkTopics(pipeline));
  expect(await dumpRedis(redis, prefix)).toEqual(expectedRedisDump(prefix, expectedProjection(input)));
});
