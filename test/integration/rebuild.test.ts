/**
 * scripts/rebuild on the real services: the order aggregator, the Redis sink
 * and the ClickHouse sink build their projections from generated orders;
 * each projection is then deleted and rebuilt from the log, and is the same
 * as before, key by key (Redis), row by row (ClickHouse) and record by
 * record (the latest OrderState per order in orders.state).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { selectRows } from '../../sinks/clickhouse/result-values';
import { config, uniqueName } from './support/env';
import { createTestPipeline, exited, produce, readAll, spawnService, TestPipeline, waitForCaughtUp } from './support/pipeline';
import { dumpRedis } from './support/redis-dump';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';
import { runScript } from './support/run-script';

jest.setTimeout(300_000);

let pipeline: TestPipeline;
const keyPrefix = `sf-test:${uniqueName('rebuild')}:`;
const database = uniqueName('rebuild').replace(/[^A-Za-z0-9_]/g, '_');
const redis = createRedis(config.redis);
const clickhouse = createClickHouse(config.clickhouse, 'default');
const children = new Map<string, ChildProcess>();
let env: Record<string, string>;

const groupOf = (service: string) => `${pipeline.prefix}${service}`;
const inputsOf: Record<string, (p: TestPipeline) => string[]> = {
  'order-aggregator': (p) => [p.topics.orderEvents, p.topics.paymentEvents],
  'redis-sink': (p) => [p.topics.orderState, p.topics.fraudCounters, p.topics.fraudAlerts],
  'clickhouse-sink': (p) => [p.topics.orderEvents, p.topics.paymentEvents, p.topics.orderState, p.topics.fraudAlerts],
};
const mainOf: Record<string, string> = {
  'order-aggregator': 'processors/order-aggregator/main.ts',
  'redis-sink': 'sinks/redis/main.ts',
  'clickhouse-sink': 'sinks/clickhouse/main.ts',
};

async function start(service: string): Promise<void> {
  const { child } = await spawnService(mainOf[service]!, pipeline, env);
  children.set(service, child);
}

async function stop(service: string): Promise<void> {
  const child = children.get(service);
  children.delete(service);
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await exited(child);
  }
}

const caughtUp = (service: string) => waitForCaughtUp(pipeline, groupOf(service), inputsOf[service]!(pipeline), 120_000);

const ALL_ROWS = ['--limit', '1000'];
const DOCUMENTED_QUERIES: Record<string, string[]> = {
  'revenue-per-day': [],
  'daily-sku-sales': [],
  'top-skus': ALL_ROWS,
  'orders-by-status': [],
  'order-funnel': [],
  'customers-with-most-alerts': ALL_ROWS,
  'customer-order-stats': ALL_ROWS,
};

/**
 * The whole ClickHouse projection: every table's rows (FINAL, sorted), and
 * every documented query's answer. Aggregate-function states are compared
 * through the queries only: their bytes depend on the order rows arrived in.
 */
async function clickhouseContent(): Promise<Record<string, string[]>> {
  const tables = await selectRows(
    clickhouse,
    `SELECT name FROM system.tables WHERE database = '${database}' AND engine LIKE '%MergeTree' AND engine != 'AggregatingMergeTree' AND name != 'schema_migrations' ORDER BY name`,
  );
  const content: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await selectRows(clickhouse, `SELECT * FROM ${database}.${String(name)} FINAL`);
    content[String(name)] = rows.map((row) => JSON.stringify(row)).sort();
  }
  for (const [query, args] of Object.entries(DOCUMENTED_QUERIES)) {
    const result = await runScript('clickhouse', ['query', query, ...args, '--json'], { CLICKHOUSE_DATABASE: database });
    expect(result.stderr).toBe('');
    content[`query ${query}`] = result.stdout.trim().split('\n');
  }
  return content;
}

/** The latest OrderState bytes per order in orders.state (what a compacted read gives). */
async function latestStates(): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  for (const m of await readAll(pipeline, pipeline.topics.orderState)) latest.set(m.key!.toString(), m.value?.toString('base64') ?? 'tombstone');
  return latest;
}

const rebuild = (target: string) => runScript('rebuild', [target, '--exit', '--yes'], { ...env, HTTP_PORT: '0' }, 240_000);

beforeAll(async () => {
  pipeline = await createTestPipeline('rebuild');
  env = {
    TOPIC_PREFIX: pipeline.prefix,
    REDIS_KEY_PREFIX: keyPrefix,
    CLICKHOUSE_DATABASE: database,
    SINK_BATCH_MAX_DELAY_MS: '200',
    INFRA_DIR: path.join(__dirname, '../../.infra'),
  };
  const records = [...generateLifecycles({ seed: 606, customers: 120, orders: 500 })].filter((r) => r.topic !== TOPIC.customers);
  await produce(
    pipeline,
    records.map((r) => ({ topic: r.topic === TOPIC.orderEvents ? pipeline.topics.orderEvents : pipeline.topics.paymentEvents, key: r.key, value: r.event })),
  );
  for (const service of ['order-aggregator', 'redis-sink', 'clickhouse-sink']) await start(service);
  await caughtUp('order-aggregator');
  await caughtUp('redis-sink');
  await caughtUp('clickhouse-sink');
});

afterAll(async () => {
  for (const service of [...children.keys()]) await stop(service);
  await deleteKeysWithPrefix(redis, keyPrefix);
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await clickhouse.close();
  await redis.quit();
});

test('rebuild is refused while the service consumes', async () => {
  const refused = await rebuild('redis');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`consumer group ${groupOf('redis-sink')} has 1 active member(s)`);
  expect(refused.stderr).toContain('scripts/services stop redis-sink');
  expect(Object.keys(await dumpRedis(redis, keyPrefix)).length).toBeGreaterThan(500);
});

test('redis: deleted and rebuilt from the log, every key is as before', async () => {
  const before = await dumpRedis(redis, keyPrefix);
  await stop('redis-sink');
  const result = await rebuild('redis');
  expect(result.stderr).toContain('100%');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`deleted ${Object.keys(before).length} Redis key\\(s\\)`));
  expect(result.stdout).toMatch(/rebuilt redis: \d+ input records/);
  expect(await dumpRedis(redis, keyPrefix)).toEqual(before);
});

test('clickhouse: tables emptied and rebuilt from the log, every row is as before', async () => {
  const before = await clickhouseContent();
  expect(before['order_state']!.length).toBeGreaterThanOrEqual(500);
  await stop('clickhouse-sink');
  const result = await rebuild('clickhouse');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`emptied \\d+ table\\(s\\) in ${database}: .*order_state`));
  expect(await clickhouseContent()).toEqual(before);
});

test('order-aggregator: changelog deleted and rebuilt; the sinks reading it start over and end where they were', async () => {
  const statesBefore = await latestStates();
  const redisBefore = await dumpRedis(redis, keyPrefix);
  await stop('order-aggregator');
  const result = await rebuild('order-aggregator');
  expect(result.stderr).toContain('100%');
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`recreated 2 topic(s) empty: ${pipeline.topics.orderState}, ${pipeline.topics.pendingPayments}`);
  expect(result.stdout).toContain(`reset ${groupOf('redis-sink')} to the start of ${pipeline.topics.orderState}`);
  expect(await latestStates()).toEqual(statesBefore);

  await start('redis-sink');
  await caughtUp('redis-sink');
  expect(await dumpRedis(redis, keyPrefix)).toEqual(redisBefore);
});
