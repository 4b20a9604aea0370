/**
 * The Redis sink's writer and Lua scripts on a real Redis, without Kafka:
 * version gates, an order moving to another customer, alert capping and
 * deduplication, and the reload after Redis lost its scripts (on a private
 * server: SCRIPT FLUSH on the shared one would disturb everyone else).
 */
import { Registry } from 'prom-client';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { FraudAlert, OrderState } from '../../schemas/generated/types';
import { startPrivateRedis } from '../../sinks/bench/private-redis';
import { redisKeys } from '../../sinks/redis/keys';
import type { RedisSinkValue } from '../../sinks/redis/plan-batch';
import { RedisSinkWriter } from '../../sinks/redis/redis-writer';
import type { SinkRecord } from '../../sinks/runtime/sink-writer';
import { config, logger, uniqueName } from './support/env';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';

const redis = createRedis(config.redis);
const prefix = `sf-test:${uniqueName('redis-writer')}:`;
const keys = redisKeys(prefix);
const writers: RedisSinkWriter[] = [];

afterAll(async () => {
  for (const writer of writers) await writer.close();
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
});

async function startWriter(url = config.redis.url, keyPrefix = prefix): Promise<{ writer: RedisSinkWriter; registry: Registry }> {
  const registry = new Registry();
  const writer = new RedisSinkWriter({ redis: { ...config.redis, url }, keyPrefix });
  await writer.start({ sinkName: 'test', logger, registry });
  writers.push(writer);
  return { writer, registry };
}

let offset = 0;
function record(catalogTopic: string, key: string, value: RedisSinkValue | null): SinkRecord<RedisSinkValue> {
  offset += 1;
  const source: DeadLetterSource = { topic: catalogTopic, partition: 0, offset: String(offset), key: Buffer.from(key), value: null, headers: {} };
  return { topic: catalogTopic, catalogTopic, partition: 0, offset: String(offset), key, value, timestamp: 0, headers: {}, source };
}

function state(orderId: string, customerId: string, version: number, paymentVersion = 0): SinkRecord<RedisSinkValue> {
  const value: OrderState = {
    orderId,
    customerId,
    status: version >= 2 ? 'CONFIRMED' : 'PLACED',
    items: [{ sku: 'S-1', quantity: 2, unitPriceCents: 500 }],
    totalCents: 1000,
    currency: 'EUR',
    placedAt: new Date('2024-03-01T10:00:00Z'),
    confirmedAt: version >= 2 ? new Date('2024-03-01T10:05:00Z') : null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    carrier: null,
    trackingNumber: null,
    cancelReason: null,
    cancelledBy: null,
    paymentStatus: paymentVersion > 0 ? 'AUTHORIZED' : 'NONE',
    amountAuthorizedCents: paymentVersion > 0 ? 1000 : 0,
    amountCapturedCents: 0,
    amountRefundedCents: 0,
    lastEventAt: new Date('2024-03-01T10:05:00Z'),
    lastEventId: `e-${version}-${paymentVersion}`,
    version,
    paymentVersion,
  };
  return record(TOPIC.orderState, orderId, { type: 'OrderState', value });
}

function alert(customerId: string, n: number): SinkRecord<RedisSinkValue> {
  const value: FraudAlert = {
    alertId: `alert-${customerId}-${String(n).padStart(2, '0')}`,
    customerId,
    rule: 'order-count',
    windowStart: new Date(n * 60_000),
    windowEnd: new Date(n * 60_000 + 3_600_000),
    observed: 5,
    threshold: 5,
    triggeringEventIds: [`e-${n}`],
    detectedAt: new Date(1_700_000_000_000 + n * 60_000),
  };
  return record(TOPIC.fraudAlerts, customerId, { type: 'FraudAlert', value });
}

test('a state applies only when (version, paymentVersion) is newer', async () => {
  const { writer } = await startWriter();
  await writer.write([state('o-1', 'c-1', 2, 1)]);
  await writer.write([state('o-1', 'c-1', 1, 5), state('o-1', 'c-1', 2, 0), state('o-1', 'c-1', 2, 1)]);
  expect(await redis.hmget(keys.order('o-1'), 'version', 'paymentVersion', 'lastEventId')).toEqual(['2', '1', 'e-2-1']);
  await writer.write([state('o-1', 'c-1', 2, 2)]);
  expect(await redis.hget(keys.order('o-1'), 'lastEventId')).toBe('e-2-2');
  await writer.write([state('o-1', 'c-1', 3, 0)]);
  expect(await redis.hmget(keys.order('o-1'), 'version', 'paymentVersion', 'status')).toEqual(['3', '0', 'CONFIRMED']);
  // the hash is replaced, not merged: fields that became null are gone
  await writer.write([record(TOPIC.orderState, 'o-1', null), state('o-1', 'c-1', 1)]);
  expect(await redis.hget(keys.order('o-1'), 'confirmedAt')).toBeNull();
});

test('an order that moves to another customer leaves the old index', async () => {
  const { writer } = await startWriter();
  await writer.write([state('o-2', 'c-old', 1)]);
  await writer.write([state('o-2', 'c-new', 2)]);
  expect(await redis.zrange(keys.customerOrders('c-old'), 0, -1)).toEqual([]);
  expect(await redis.zrange(keys.customerOrders('c-new'), 0, -1, 'WITHSCORES')).toEqual(['o-2', String(Date.parse('2024-03-01T10:00:00Z'))]);
  await writer.write([record(TOPIC.orderState, 'o-2', null), record(TOPIC.orderState, 'o-never-seen', null)]);
  expect(await redis.exists(keys.order('o-2'), keys.customerOrders('c-new'))).toBe(0);
});

test('alerts: deduplicated by id, the newest 20 by event time kept whatever the arrival order', async () => {
  const { writer } = await startWriter();
  const alerts = Array.from({ length: 25 }, (_, i) => alert('c-9', i + 1));
  // newest first, then everything again oldest first, in two batches
  await writer.write([...alerts].reverse());
  await writer.write(alerts);
  const kept = await redis.zrange(keys.alerts('c-9'), 0, -1);
  expect(kept).toEqual(alerts.slice(5).map((a) => (a.value as { value: FraudAlert }).value.alertId));
  expect(Object.keys(await redis.hgetall(keys.alertData('c-9'))).sort()).toEqual([...kept].sort());
});

test('after Redis lost its scripts the writer reloads them and writes the batch', async () => {
  const server = await startPrivateRedis();
  try {
    const { writer, registry } = await startWriter(server.url, 'p:');
    writers.splice(writers.indexOf(writer), 1); // closed here, before its server goes
    const direct = createRedis({ ...config.redis, url: server.url, username: undefined, password: undefined });
    await direct.script('FLUSH');
    await writer.write([state('o-3', 'c-3', 1)]);
    expect(await direct.hget('p:order:o-3', 'version')).toBe('1');
    expect((await registry.getSingleMetric('sink_redis_script_reloads_total')?.get())?.values[0]?.value).toBe(1);
    direct.disconnect();
    await writer.close();
  } finally {
    await server.close();
  }
});
