/**
 * Where the Redis sink keeps things: one place for key names, shared by the
 * writer, its Lua scripts (which get the pieces as arguments) and the lookup
 * script.
 *
 *   <prefix>order:<orderId>                 hash: the order (order-hash.ts)
 *   <prefix>customer:<customerId>:orders    sorted set: orderId by placedAt (epoch ms)
 *   <prefix>fraud:<customerId>              hash: the customer's fraud counters (counters-hash.ts)
 *   <prefix>alerts:<customerId>             sorted set: alertId by detectedAt (epoch ms), newest kept
 *   <prefix>alerts:<customerId>:data        hash: alertId → the alert as JSON (alert-entry.ts)
 *
 * <prefix> is REDIS_KEY_PREFIX followed by TOPIC_PREFIX, so an isolated copy
 * of the pipeline (tests, staging: TOPIC_PREFIX=x.) writes keys of its own
 * under the same Redis, and REDIS_KEY_PREFIX alone moves a whole deployment.
 */
import type { AppConfig } from '../../lib/config';

export interface RedisKeys {
  readonly prefix: string;
  order(orderId: string): string;
  customerOrders(customerId: string): string;
  fraudCounters(customerId: string): string;
  alerts(customerId: string): string;
  alertData(customerId: string): string;
  /** `customerOrders(id)` is `customerOrdersPrefix + id + customerOrdersSuffix`: what the Lua scripts rebuild it from. */
  readonly customerOrdersPrefix: string;
  readonly customerOrdersSuffix: string;
}

/** The key prefix of a sink (and of the lookups) under this configuration. */
export function sinkKeyPrefix(config: Pick<AppConfig, 'redis' | 'topicPrefix'>): string {
  return `${config.redis.keyPrefix}${config.topicPrefix}`;
}

export function redisKeys(prefix: string): RedisKeys {
  const customerOrdersPrefix = `${prefix}customer:`;
  const customerOrdersSuffix = ':orders';
  return {
    prefix,
    order: (orderId) => `${prefix}order:${orderId}`,
    customerOrders: (customerId) => `${customerOrdersPrefix}${customerId}${customerOrdersSuffix}`,
    fraudCounters: (customerId) => `${prefix}fraud:${customerId}`,
    alerts: (customerId) => `${prefix}alerts:${customerId}`,
    alertData: (customerId) => `${prefix}alerts:${customerId}:data`,
    customerOrdersPrefix,
    customerOrdersSuffix,
  };
}
