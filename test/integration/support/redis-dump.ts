/**
 * Everything under a key prefix in Redis, as plain data, so tests compare a
 * whole projection at once (and two runs with each other); and what the
 * Redis sink must have written for given final states, built with the
 * sink's own field mappings (those are unit-tested against literal hashes).
 */
import type Redis from 'ioredis';
import type { FraudAlert, FraudCounters, OrderState } from '../../../schemas/generated/types';
import { alertEntry, DEFAULT_RECENT_ALERTS, keptAlerts } from '../../../sinks/redis/alert-entry';
import { countersHashFields } from '../../../sinks/redis/counters-hash';
import { scanKeys } from '../../../sinks/redis/clear-keys';
import { redisKeys } from '../../../sinks/redis/keys';
import { orderHashFields } from '../../../sinks/redis/order-hash';

export type DumpedValue =
  | { readonly type: 'hash'; readonly value: Record<string, string> }
  | { readonly type: 'zset'; readonly value: Array<[string, number]> }
  | { readonly type: 'other'; readonly value: string };

export type RedisDump = Record<string, DumpedValue>;

/** Every key starting with `prefix`, sorted, with its content. */
export async function dumpRedis(redis: Redis, prefix: string): Promise<RedisDump> {
  const found = new Set<string>();
  for await (const page of scanKeys(redis, prefix)) for (const key of page) found.add(key);
  const keys = [...found].sort();
  const dump: RedisDump = {};
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'hash') {
      const value = await redis.hgetall(key);
      dump[key] = { type, value: Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) };
    } else if (type === 'zset') {
      const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
      const value: Array<[string, number]> = [];
      for (let i = 0; i < flat.length; i += 2) value.push([flat[i] as string, Number(flat[i + 1])]);
      dump[key] = { type, value };
    } else {
      dump[key] = { type: 'other', value: type };
    }
  }
  return dump;
}

export interface ExpectedProjection {
  readonly orders: ReadonlyMap<string, OrderState>;
  readonly counters: ReadonlyMap<string, FraudCounters>;
  readonly alerts: readonly FraudAlert[];
}

function sortedFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Redis order of a sorted set: by score, then by member (byte order). */
function zsetOrder(a: [string, number], b: [string, number]): number {
  return a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export function expectedRedisDump(prefix: string, expected: ExpectedProjection, recentAlerts = DEFAULT_RECENT_ALERTS): RedisDump {
  const keys = redisKeys(prefix);
  const dump: RedisDump = {};
  const zsets = new Map<string, Array<[string, number]>>();
  const addToZset = (key: string, member: string, score: number) => {
    const list = zsets.get(key) ?? [];
    list.push([member, score]);
    zsets.set(key, list);
  };
  for (const state of expected.orders.values()) {
    dump[keys.order(state.orderId)] = { type: 'hash', value: sortedFields(orderHashFields(state)) };
    addToZset(keys.customerOrders(state.customerId), state.orderId, state.placedAt.getTime());
  }
  for (const counters of expected.counters.values()) {
    dump[keys.fraudCounters(counters.customerId)] = { type: 'hash', value: sortedFields(countersHashFields(counters)) };
  }
  const alertsByCustomer = new Map<string, FraudAlert[]>();
  for (const alert of expected.alerts) alertsByCustomer.set(alert.customerId, [...(alertsByCustomer.get(alert.customerId) ?? []), alert]);
  for (const [customerId, alerts] of alertsByCustomer) {
    const kept = keptAlerts(alerts, recentAlerts);
    zsets.set(
      keys.alerts(customerId),
      kept.map((alert): [string, number] => [alert.alertId, alertEntry(alert).score]),
    );
    const data: Record<string, string> = {};
    for (const alert of kept) data[alert.alertId] = alertEntry(alert).json;
    dump[keys.alertData(customerId)] = { type: 'hash', value: sortedFields(data) };
  }
  for (const [key, members] of zsets) dump[key] = { type: 'zset', value: [...members].sort(zsetOrder) };
  return Object.fromEntries(Object.entries(dump).sort(([a], [b]) => (a < b ? -1 : 1)));
}
