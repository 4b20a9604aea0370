/**
 * A whole order projection on real services for the operations scripts'
 * tests: a test pipeline fed with generated orders (and, by tests that want
 * them, fraud records produced straight to the fraud topics), the order aggregator,
 * the Redis sink (under a key prefix of its own) and the ClickHouse sink
 * (in a database of its own) as child processes. Scripts run against it
 * with its environment (ProjectionPipeline.env, given to run-script.ts).
 * Everything it creates is removed when the test file ends (topics by
 * createTestPipeline).
 */
import type { ChildProcess } from 'node:child_process';
import { createClickHouse } from '../../../lib/clients/clickhouse';
import { createRedis } from '../../../lib/clients/redis';
import { TOPIC } from '../../../lib/topics';
import { generateLifecycles, GeneratedRecord } from '../../../producers/loadgen/lifecycle';
import { config, uniqueName } from './env';
import { createTestPipeline, exited, OutgoingRecord, spawnProcessor, TestPipeline, waitForCaughtUp } from './pipeline';
import { deleteKeysWithPrefix } from '../../../sinks/redis/clear-keys';
import { sinkGroup, spawnSink } from './sink';

const KEY_PREFIX = 'sf-test:';

export const redis = createRedis(config.redis);
export const clickhouse = createClickHouse(config.clickhouse, 'default');
// The services run for the whole file: tests share one projection, each reading it.
const services: ChildProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  try {
    for (const child of services.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    for (const cleanup of cleanups.splice(0)) await cleanup();
  } finally {
    // a failed cleanup must not leave the clients open: jest would wait on them
    await redis.quit();
    await clickhouse.close();
  }
});

export interface ProjectionPipeline {
  readonly pipeline: TestPipeline;
  /** REDIS_KEY_PREFIX + TOPIC_PREFIX: where the Redis sink writes. */
  readonly keyPrefix: string;
  readonly database: string;
  /** The environment the services run with, and the scripts must too. */
  readonly env: Readonly<Record<string, string>>;
}

/** Order and payment events of `orders` generated orders, in stream order (occurredAt strictly increasing). */
export function generatedOrders(seed: number, orders: number): GeneratedRecord[] {
  return [...generateLifecycles({ seed, customers: Math.ceil(orders / 4), orders })].filter((r) => r.topic !== TOPIC.customers);
}

export function toTopics(pipeline: TestPipeline, records: readonly GeneratedRecord[]): OutgoingRecord[] {
  return records.map((r) => ({
    topic: r.topic === TOPIC.orderEvents ? pipeline.topics.orderEvents : pipeline.topics.paymentEvents,
    key: r.key,
    value: r.event,
  }));
}

/** A fresh pipeline with the aggregator and both sinks running on it. */
export async function startProjection(base: string): Promise<ProjectionPipeline> {
  const pipeline = await createTestPipeline(base);
  const database = uniqueName(base).replace(/-/g, '_');
  const keyPrefix = `${KEY_PREFIX}${pipeline.prefix}`;
  cleanups.push(async () => {
    await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await deleteKeysWithPrefix(redis, keyPrefix);
  });
  const env = { TOPIC_PREFIX: pipeline.prefix, REDIS_KEY_PREFIX: KEY_PREFIX, CLICKHOUSE_DATABASE: database, SINK_BATCH_MAX_DELAY_MS: '200' };
  services.push(await spawnProcessor('order-aggregator', pipeline, env));
  services.push((await spawnSink('redis', pipeline, env)).child);
  services.push((await spawnSink('clickhouse', pipeline, env)).child);
  return { pipeline, keyPrefix, database, env };
}

/** Until the aggregator and both sinks committed the end of their inputs (the fraud topics too: tests may produce to them directly). */
export async function projectionCaughtUp({ pipeline }: ProjectionPipeline): Promise<void> {
  const { topics } = pipeline;
  await waitForCaughtUp(pipeline, `${pipeline.prefix}order-aggregator`, [topics.orderEvents, topics.paymentEvents]);
  await waitForCaughtUp(pipeline, sinkGroup(pipeline, 'redis-sink'), [topics.orderState, topics.fraudCounters, topics.fraudAlerts]);
  await waitForCaughtUp(pipeline, sinkGroup(pipeline, 'clickhouse-sink'), [topics.orderEvents, topics.paymentEvents, topics.orderState, topics.fraudAlerts]);
}
