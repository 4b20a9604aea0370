/**
 * Reads what the Redis sink wrote, for people and tools (scripts/lookup):
 * an order, or a customer's recent orders, fraud counters and alerts.
 * Redis only: nothing here asks Kafka or the processors.
 */
import type Redis from 'ioredis';
import type { OrderStatus, PaymentStatus } from '../../schemas/generated/types';
import type { AlertView } from './alert-entry';
import { CountersView, parseCountersHash } from './counters-hash';
import { HashFormatError } from './hash-fields';
import type { RedisKeys } from './keys';
import { OrderView, parseOrderHash } from './order-hash';

export async function readOrder(redis: Redis, keys: RedisKeys, orderId: string): Promise<OrderView | undefined> {
  const key = keys.order(orderId);
  const fields = await redis.hgetall(key);
  if (Object.keys(fields).length === 0) return undefined;
  return parseOrderHash(key, fields);
}

/** One line of a customer's order list. */
export interface OrderSummary {
  readonly orderId: string;
  readonly placedAt: string;
  /** null when the index names an order whose hash is gone (deleted since). */
  readonly status: OrderStatus | null;
  readonly paymentStatus: PaymentStatus | null;
  readonly totalCents: number | null;
  readonly currency: string | null;
}

export interface CustomerView {
  readonly customerId: string;
  /** Orders in the index, all of them. */
  readonly orderCount: number;
  /** The most recent ones by placement time, newest first. */
  readonly recentOrders: readonly OrderSummary[];
  readonly counters: CountersView | null;
  /** Newest first. */
  readonly alerts: readonly AlertView[];
}

/** undefined when Redis holds nothing at all about the customer. */
export async function readCustomer(redis: Redis, keys: RedisKeys, customerId: string, recent = 10): Promise<CustomerView | undefined> {
  const indexKey = keys.customerOrders(customerId);
  const countersKey = keys.fraudCounters(customerId);
  const alertsKey = keys.alerts(customerId);
  const [orderCount, newest, counterFields, alertIds] = await Promise.all([
    redis.zcard(indexKey),
    redis.zrevrange(indexKey, 0, recent - 1, 'WITHSCORES'),
    redis.hgetall(countersKey),
    redis.zrevrange(alertsKey, 0, -1),
  ]);
  const hasCounters = Object.keys(counterFields).length > 0;
  if (orderCount === 0 && !hasCounters && alertIds.length === 0) return undefined;

  const recentOrders: OrderSummary[] = [];
  for (let i = 0; i < newest.length; i += 2) {
    const orderId = newest[i] as string;
    const [status, paymentStatus, totalCents, currency] = await redis.hmget(keys.order(orderId), 'status', 'paymentStatus', 'totalCents', 'currency');
    recentOrders.push({
      orderId,
      placedAt: new Date(Number(newest[i + 1])).toISOString(),
      status: (status as OrderStatus | null) ?? null,
      paymentStatus: (paymentStatus as PaymentStatus | null) ?? null,
      totalCents: totalCents === null ? null : Number(totalCents),
      currency: currency ?? null,
    });
  }
  const alerts: AlertView[] = [];
  if (alertIds.length > 0) {
    const dataKey = keys.alertData(customerId);
    const payloads = await redis.hmget(dataKey, ...alertIds);
    payloads.forEach((json, i) => {
      if (json === null) return; // trimmed between the two reads
      try {
        alerts.push(JSON.parse(json) as AlertView);
      } catch (error) {
        throw new HashFormatError(`${dataKey} field ${alertIds[i]} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }
  return {
    customerId,
    orderCount,
    recentOrders,
    counters: hasCounters ? parseCountersHash(countersKey, counterFields) : null,
    alerts,
  };
}
