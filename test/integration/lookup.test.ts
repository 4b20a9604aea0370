/**
 * scripts/lookup against what the Redis sink's writer put in the project's
 * Redis (under a key prefix of this run): it prints what Redis holds, as
 * text and as JSON, and says so (exit 1) when an id is not there.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Registry } from 'prom-client';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import { fraudRecords, latestByKey, orderStateChangelog } from '../../sinks/bench/derived-records';
import type { RedisSinkValue } from '../../sinks/redis/plan-batch';
import { RedisSinkWriter } from '../../sinks/redis/redis-writer';
import type { SinkRecord } from '../../sinks/runtime/sink-writer';
import { config, logger, uniqueName } from './support/env';
import { ROOT } from './support/pipeline';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';

const redis = createRedis(config.redis);
const keyPrefix = `sf-test:${uniqueName('lookup')}:`;
const states = orderStateChangelog({ seed: 41, orders: 40 });
const orders = latestByKey(states);
const { counters, alerts } = fraudRecords({ seed: 41, customers: 2, versions: 6 });

function record(catalogTopic: string, key: string, value: RedisSinkValue, offset: number): SinkRecord<RedisSinkValue> {
  const source: DeadLetterSource = { topic: catalogTopic, partition: 0, offset: String(offset), key: Buffer.from(key), value: null, headers: {} };
  return { topic: catalogTopic, catalogTopic, partition: 0, offset: String(offset), key, value, timestamp: 0, headers: {}, source };
}

beforeAll(async () => {
  const writer = new RedisSinkWriter({ redis: config.redis, keyPrefix });
  await writer.start({ sinkName: 'lookup-test', logger, registry: new Registry() });
  let offset = 0;
  await writer.write([
    ...states.map((s) => record(TOPIC.orderState, s.key, { type: 'OrderState', value: s.value }, offset++)),
    ...counters.map((c) => record(TOPIC.fraudCounters, c.key, { type: 'FraudCounters', value: c.value }, offset++)),
    ...alerts.map((a) => record(TOPIC.fraudAlerts, a.key, { type: 'FraudAlert', value: a.value }, offset++)),
  ]);
  await writer.close();
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, keyPrefix);
  await redis.quit();
});

function lookup(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'scripts', 'lookup'),
      args,
      { env: { ...process.env, REDIS_KEY_PREFIX: keyPrefix, TOPIC_PREFIX: '' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

test('order: the order as Redis holds it, as text and as JSON', async () => {
  const order = [...orders.values()].find((o) => o.items.length > 0)!;
  const text = await lookup('order', order.orderId);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`order ${order.orderId}`);
  expect(text.stdout).toMatch(new RegExp(`status\\s+${order.status}`));
  expect(text.stdout).toContain(`${(order.totalCents / 100).toFixed(2)} ${order.currency}`);
  expect(text.stdout).toContain(order.items[0]!.sku);

  const json = await lookup('order', order.orderId, '--json');
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    totalCents: order.totalCents,
    version: order.version,
    paymentVersion: order.paymentVersion,
    placedAt: order.placedAt.toISOString(),
  });
});

test('customer: recent orders with status and total, counters and alerts', async () => {
  const customerId = [...orders.values()][0]!.customerId;
  const theirs = [...orders.values()].filter((o) => o.customerId === customerId);
  const json = await lookup('customer', customerId, '--json');
  expect(json.code).toBe(0);
  const view = JSON.parse(json.stdout) as { orderCount: number; recentOrders: Array<{ orderId: string; status: string; totalCents: number }> };
  expect(view.orderCount).toBe(theirs.length);
  expect(view.recentOrders.map((o) => [o.orderId, o.status, o.totalCents]).sort()).toEqual(
    [...theirs]
      .sort((a, b) => b.placedAt.getTime() - a.placedAt.getTime())
      .slice(0, 10)
      .map((o) => [o.orderId, o.status, o.totalCents])
      .sort(),
  );

  const fraudCustomer = counters[0]!.key;
  const text = await lookup('customer', fraudCustomer);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`customer ${fraudCustomer}`);
  expect(text.stdout).toContain('orders: none');
  expect(text.stdout).toMatch(/fraud counters \(version 6,/);
  expect(text.stdout).toMatch(/recent alerts \(2, newest first\)/);
});

test('an id Redis does not hold: says so, exit 1; a bad command: usage, exit 2', async () => {
  const missing = await lookup('order', 'no-such-order');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(`order no-such-order is not in Redis (no key ${keyPrefix}order:no-such-order)`);
  expect((await lookup('customer', 'nobody')).code).toBe(1);
  const usage = await lookup('invoice', 'x');
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('usage: scripts/lookup');
});
