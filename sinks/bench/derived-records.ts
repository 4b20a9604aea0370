/**
 * Realistic records of the topics the sinks read, without running the
 * processors: order and payment events of generated lifecycles with the
 * orders.state changelog the order aggregator would write for them (each
 * applied event's state, folded with the aggregator's own pure fold), and
 * fraud.counters / fraud.alerts records shaped like the fraud detector's.
 * Deterministic for a seed. Benchmarks and integration tests share it.
 */
import type { TaggedValue } from '../../lib/serde';
import { TOPIC } from '../../lib/topics';
import { alertId } from '../../lib/domain/fraud/alert-id';
import { FRAUD_RULE_LIST } from '../../lib/domain/fraud/rule-names';
import { applyEvent } from '../../lib/domain/orders/fold';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { Random } from '../../producers/loadgen/random';
import type { FraudAlert, FraudCounters, FraudWindowCounter, OrderState } from '../../schemas/generated/types';

export interface KeyedState<T> {
  readonly key: string;
  readonly value: T;
}

/** A record of one of the pipeline's topics, by its catalog name (without TOPIC_PREFIX). */
export interface TopicRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: TaggedValue;
}

/**
 * Generated lifecycles of `orders` orders as the topics would hold them:
 * every orders.events / payments.events event in stream order, each followed
 * by the OrderState the order aggregator would write on orders.state for it
 * (folded with the aggregator's own pure fold). Payments the fold cannot
 * apply yet (before their OrderPlaced) get no state here; the aggregator
 * parks them, which changes intermediate states, not the kinds of records a
 * sink sees.
 */
export function orderStream(options: { seed: number; orders: number }): TopicRecord[] {
  const states = new Map<string, OrderState>();
  const out: TopicRecord[] = [];
  for (const record of generateLifecycles({ seed: options.seed, orders: options.orders, customers: Math.max(1, Math.ceil(options.orders / 4)) })) {
    if (record.topic === TOPIC.customers) continue;
    out.push({ topic: record.topic, key: record.key, value: record.event });
    const result = applyEvent(states.get(record.key) ?? null, record.event);
    if (result.kind !== 'applied') continue;
    states.set(record.key, result.state);
    out.push({ topic: TOPIC.orderState, key: record.key, value: { type: 'OrderState', value: result.state } });
  }
  return out;
}

/** Every state the order aggregator would emit on orders.state for `orders` generated orders, in stream order (many versions per order). */
export function orderStateChangelog(options: { seed: number; orders: number }): KeyedState<OrderState>[] {
  return orderStream(options).flatMap((record) => (record.value.type === 'OrderState' ? [{ key: record.key, value: record.value.value as OrderState }] : []));
}

/**
 * The first `count` items `generate(orders)` makes, with `orders` grown
 * until there are enough (`perOrder`: the first guess of items per order).
 */
export function firstOf<T>(count: number, perOrder: number, generate: (orders: number) => T[]): T[] {
  let orders = Math.max(1, Math.ceil(count / perOrder));
  let items = generate(orders);
  while (items.length < count) {
    orders = Math.ceil(orders * (count / Math.max(1, items.length)) * 1.1);
    items = generate(orders);
  }
  return items.slice(0, count);
}

/** The last state per key: what a version-gated projection must hold after consuming `changelog`. */
export function latestByKey<T>(changelog: readonly KeyedState<T>[]): Map<string, T> {
  const latest = new Map<string, T>();
  for (const { key, value } of changelog) latest.set(key, value);
  return latest;
}

const MINUTE = 60_000;

/**
 * Counters snapshots (versions 1…n per customer) and alerts for `customers`
 * customers: each customer's counters grow over its versions, some windows
 * close, and every third snapshot or so raises an alert with a
 * deterministic id (as lib/domain/fraud/alert-id.ts derives it).
 */
export function fraudRecords(options: { seed: number; customers: number; versions: number; start?: Date }): {
  counters: KeyedState<FraudCounters>[];
  alerts: KeyedState<FraudAlert>[];
} {
  const random = new Random(options.seed);
  const start = (options.start ?? new Date('2024-03-01T00:00:00Z')).getTime();
  const tag = random.hex(4);
  const counters: KeyedState<FraudCounters>[] = [];
  const alerts: KeyedState<FraudAlert>[] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `cust-fraud-${tag}-${String(c + 1).padStart(5, '0')}`;
    for (let version = 1; version <= options.versions; version++) {
      const at = start + c * MINUTE + version * 5 * MINUTE;
      const windows: FraudWindowCounter[] = [];
      for (const rule of FRAUD_RULE_LIST) {
        if (random.next() < 0.3) continue; // no open window of this rule now
        const windowCount = 1 + random.int(0, 2);
        for (let w = 0; w < windowCount; w++) {
          const windowStart = at - (w + 1) * 10 * MINUTE;
          windows.push({
            rule,
            windowStart: new Date(windowStart),
            windowEnd: new Date(windowStart + 60 * MINUTE),
            value: rule === 'order-amount' ? random.int(1_000, 500_000) : random.int(1, 8),
            eventIds: [`evt-${customerId}-${version}-${w}`],
            alerted: random.next() < 0.2,
          });
        }
      }
      counters.push({
        key: customerId,
        value: { customerId, counters: windows, version, updatedAt: new Date(at), lastEventId: version % 4 === 0 ? null : `evt-${customerId}-${version}` },
      });
      if (version % 3 === 0) {
        const rule = random.pick(FRAUD_RULE_LIST);
        const windowStart = at - 30 * MINUTE;
        alerts.push({
          key: customerId,
          value: {
            alertId: alertId(customerId, rule, windowStart),
            customerId,
            rule,
            windowStart: new Date(windowStart),
            windowEnd: new Date(windowStart + 60 * MINUTE),
            observed: 5 + version,
            threshold: 5,
            triggeringEventIds: [`evt-${customerId}-${version}`],
            detectedAt: new Date(at),
          },
        });
      }
    }
  }
  return { counters, alerts };
}
