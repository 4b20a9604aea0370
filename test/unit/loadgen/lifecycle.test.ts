import { isKnownCurrency } from '../../../lib/domain/currencies';
import { TOPIC } from '../../../lib/topics';
import { applyEvent, foldOrder } from '../../../lib/domain/orders/fold';
import { DEFAULT_LOADGEN_OPTIONS, GeneratedRecord, LoadgenOverrides, NO_FRAUD, generateLifecycles } from '../../../producers/loadgen/lifecycle';
import { TOPIC_SCHEMAS } from '../../../schemas/catalog';
import { getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import { RECORD_FULL_NAMES, type OrderState } from '../../../schemas/generated/types';
import { burstCustomers, eventsByOrder, largeOrders, manyCardCustomers, repeatedlyDeclinedOrders } from '../../fixtures/generated-stream';

const SEEDS = [1, 2, 42, 20240501, 987654321];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HOUR = 3_600_000;

/** Fraud patterns frequent enough that a short stream has several of each. */
const FREQUENT_FRAUD: LoadgenOverrides['fraud'] = {
  orderBurst: { rate: 0.03 },
  manyCards: { rate: 0.03 },
  largeAmount: { rate: 0.03 },
  repeatedDeclines: { rate: 0.03 },
};

function generate(overrides: LoadgenOverrides): GeneratedRecord[] {
  return [...generateLifecycles(overrides)];
}

const streams = new Map(SEEDS.map((seed) => [seed, generate({ seed, customers: 300, orders: 1500, fraud: FREQUENT_FRAUD })]));
const stream = (seed: number): GeneratedRecord[] => streams.get(seed)!;
const at = (r: GeneratedRecord): number => r.event.value.envelope.occurredAt.getTime();
const sumOfItems = (items: readonly { quantity: number; unitPriceCents: number }[]): number => items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);

describe.each(SEEDS)('generated stream, seed %d', (seed) => {
  const records = stream(seed);
  const orders = eventsByOrder(records);

  it('publishes every customer first, then exactly the orders asked for', () => {
    const customers = records.filter((r) => r.topic === TOPIC.customers);
    expect(customers).toHaveLength(300);
    expect(records.slice(0, 300)).toEqual(customers);
    expect(orders.size).toBe(1500);
    expect(records.filter((r) => r.event.type === 'OrderPlaced')).toHaveLength(1500);
  });

  it('replays through the pure fold without a rejection or a duplicate', () => {
    const problems: string[] = [];
    for (const [orderId, events] of orders) {
      const fold = foldOrder(events);
      for (const r of fold.rejections) problems.push(r.message);
      if (fold.applied !== events.length) problems.push(`${orderId}: ${fold.applied} of ${events.length} applied`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps totalCents equal to the sum of the items after every event', () => {
    const problems: string[] = [];
    for (const [orderId, events] of orders) {
      let state: OrderState | null = null;
      for (const event of events) {
        state = applyEvent(state, event).state;
        if (state !== null && state.totalCents !== sumOfItems(state.items)) problems.push(`${orderId} after ${event.type}`);
      }
      const first = events[0]!;
      if (first.type === 'OrderPlaced' && first.value.totalCents !== sumOfItems(first.value.items)) problems.push(`${orderId} placed`);
    }
    expect(problems).toEqual([]);
  });

  it('numbers versions contiguously per order, separately on each topic', () => {
    const versions = new Map<string, number[]>();
    for (const r of records) {
      const key = `${r.topic}/${r.key}`;
      versions.set(key, [...(versions.get(key) ?? []), r.event.value.envelope.aggregateVersion]);
    }
    const gaps = [...versions].filter(([, list]) => list.some((v, i) => v !== i + 1));
    expect(gaps).toEqual([]);
  });

  it('never adds or removes an item once the order is confirmed, shipped or cancelled', () => {
    const late: string[] = [];
    for (const [orderId, events] of orders) {
      const firstClosing = events.findIndex((e) => ['OrderConfirmed', 'OrderShipped', 'OrderCancelled'].includes(e.type));
      if (firstClosing < 0) continue;
      const after = events.slice(firstClosing).map((e) => e.type);
      if (after.includes('OrderItemAdded') || after.includes('OrderItemRemoved')) late.push(orderId);
    }
    expect(late).toEqual([]);
  });

  it('is in global event-time order, strictly increasing within an order', () => {
    const backwards = records.filter((r, i) => i > 0 && at(r) < at(records[i - 1]!));
    expect(backwards).toEqual([]);
    const notIncreasing = [...orders].filter(([, events]) => {
      const times = events.map((e) => e.value.envelope.occurredAt.getTime());
      return times.some((t, i) => i > 0 && t <= times[i - 1]!);
    });
    expect(notIncreasing).toEqual([]);
  });

  it('chains causation within one correlation per order, keyed by the aggregate id', () => {
    expect(records.filter((r) => r.key !== r.event.value.envelope.aggregateId)).toEqual([]);
    const broken = [...orders].filter(([, events]) => {
      const envelopes = events.map((e) => e.value.envelope);
      return (
        new Set(envelopes.map((e) => e.correlationId)).size !== 1 || envelopes.some((e, i) => e.causationId !== (i === 0 ? null : envelopes[i - 1]!.eventId))
      );
    });
    expect(broken).toEqual([]);
  });

  it('gives every event a distinct UUID', () => {
    const ids = records.map((r) => r.event.value.envelope.eventId);
    expect(ids.filter((id) => !UUID_V4.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('prices in known currencies, paying in the order currency', () => {
    const problems: string[] = [];
    for (const [orderId, events] of orders) {
      const first = events[0]!;
      if (first.type !== 'OrderPlaced') throw new Error('an order must start with OrderPlaced');
      if (!isKnownCurrency(first.value.currency)) problems.push(`${orderId}: ${first.value.currency}`);
      for (const e of events) if ('currency' in e.value && e.value.currency !== first.value.currency) problems.push(`${orderId}: ${e.type}`);
    }
    expect(problems).toEqual([]);
  });

  it('refunds every cancelled order whose payment was captured, and captures what was authorized', () => {
    const problems: string[] = [];
    for (const [orderId, events] of orders) {
      const state = foldOrder(events).state!;
      if (state.amountCapturedCents !== 0 && state.amountCapturedCents !== state.amountAuthorizedCents) problems.push(`${orderId}: partial capture`);
      if (state.status === 'CANCELLED' && state.amountRefundedCents !== state.amountCapturedCents) problems.push(`${orderId}: not refunded`);
    }
    expect(problems).toEqual([]);
  });

  it('goes through every branch of the lifecycle', () => {
    const types = new Set(records.map((r) => r.event.type));
    // Every record of an event topic; derived topics are the processors' output.
    const derived = Object.values(TOPIC_SCHEMAS).flatMap((spec): readonly string[] => (spec.kind === 'derived' ? spec.records : []));
    const eventRecords = Object.entries(RECORD_FULL_NAMES).filter(([, fullName]) => !derived.includes(fullName));
    expect([...types].sort()).toEqual(eventRecords.map(([name]) => name).sort());
    const cancelledBy = new Set(records.flatMap((r) => (r.event.type === 'OrderCancelled' ? [r.event.value.cancelledBy] : [])));
    expect([...cancelledBy].sort()).toEqual(['customer', 'fraud-ops', 'merchant', 'system']);
  });

  it('carries producer names of the services', () => {
    const producers = new Set(records.map((r) => r.event.value.envelope.producer));
    expect([...producers].sort()).toEqual(['accounts', 'checkout-api', 'fraud-ops', 'fulfillment', 'order-service', 'payment-gateway']);
  });
});

describe('generated records against the Avro schemas', () => {
  const catalog = loadSchemaCatalog();

  it.each(SEEDS.slice(0, 2))('seed %d: every record is valid for its topic and record schema', (seed) => {
    const invalid: string[] = [];
    for (const r of stream(seed)) {
      const record = getCatalogRecord(catalog, r.topic, RECORD_FULL_NAMES[r.event.type]);
      record.type.isValid(r.event.value, { errorHook: (path) => invalid.push(`${r.event.type}.${path.join('.')}`) });
    }
    expect(invalid).toEqual([]);
  });
});

describe('determinism', () => {
  it('gives the same stream for the same seed and options', () => {
    expect(generate({ seed: 42, customers: 300, orders: 1500, fraud: FREQUENT_FRAUD })).toEqual(stream(42));
  });

  it('gives a different stream for another seed', () => {
    const a = stream(1);
    const b = stream(2);
    expect(a[0]!.event.value.envelope.eventId).not.toBe(b[0]!.event.value.envelope.eventId);
    expect(a.map((r) => r.event.type)).not.toEqual(b.map((r) => r.event.type));
    // Ids carry a per-run tag: two runs on one topic do not collide.
    expect(a[0]!.key).not.toBe(b[0]!.key);
  });

  it('streams lazily: an endless stream yields its first records at once', () => {
    const iterator = generateLifecycles({ seed: 3, customers: 10, orders: Infinity });
    const first = Array.from({ length: 500 }, () => iterator.next().value);
    expect(first.every((r) => r !== undefined)).toBe(true);
  });

  it('starts at startTime and compresses lifecycles with lifecycleTimeScale', () => {
    const startTime = new Date('2030-01-01T00:00:00.000Z');
    const quick = generate({ seed: 4, customers: 20, orders: 200, startTime, lifecycleTimeScale: 0.001, fraud: NO_FRAUD });
    expect(at(quick[0]!)).toBe(startTime.getTime());
    for (const events of eventsByOrder(quick).values()) {
      const times = events.map((e) => e.value.envelope.occurredAt.getTime());
      expect(times[times.length - 1]! - times[0]!).toBeLessThan(HOUR);
    }
  });
});

describe('fraud patterns', () => {
  const { orderBurst, manyCards, largeAmount, repeatedDeclines } = DEFAULT_LOADGEN_OPTIONS.fraud;

  it.each(SEEDS)('seed %d: each pattern appears when enabled', (seed) => {
    const records = stream(seed);
    expect(burstCustomers(records, orderBurst.orders, orderBurst.windowMs).length).toBeGreaterThan(0);
    expect(manyCardCustomers(records, manyCards.cards, 24 * HOUR).length).toBeGreaterThan(0);
    expect(largeOrders(records, largeAmount.minCents).length).toBeGreaterThan(0);
    expect(repeatedlyDeclinedOrders(records, repeatedDeclines.declines, repeatedDeclines.windowMs).length).toBeGreaterThan(0);
  });

  it.each(SEEDS.slice(0, 2))('seed %d: none appears when disabled', (seed) => {
    const records = generate({ seed, customers: 300, orders: 1500, fraud: NO_FRAUD });
    expect(burstCustomers(records, orderBurst.orders, orderBurst.windowMs)).toEqual([]);
    expect(manyCardCustomers(records, manyCards.cards, 24 * HOUR)).toEqual([]);
    expect(largeOrders(records, largeAmount.minCents)).toEqual([]);
    expect(repeatedlyDeclinedOrders(records, repeatedDeclines.declines, repeatedDeclines.windowMs)).toEqual([]);
    expect(records.some((r) => r.event.type === 'OrderCancelled' && r.event.value.cancelledBy === 'fraud-ops')).toBe(false);
  });

  it('honours each pattern’s own parameters', () => {
    const records = generate({
      seed: 11,
      customers: 200,
      orders: 600,
      fraud: {
        orderBurst: { rate: 0.05, orders: 12, windowMs: 120_000 },
        manyCards: { rate: 0.05, cards: 9, windowMs: 30 * 60_000 },
        largeAmount: { rate: 0.05, minCents: 2_000_000 },
        repeatedDeclines: { rate: 0.05, declines: 8, windowMs: 60_000 },
      },
    });
    expect(burstCustomers(records, 12, 120_000).length).toBeGreaterThan(0);
    expect(manyCardCustomers(records, 9, 24 * HOUR).length).toBeGreaterThan(0);
    expect(largeOrders(records, 2_000_000).length).toBeGreaterThan(0);
    expect(repeatedlyDeclinedOrders(records, 8, 60_000).length).toBeGreaterThan(0);
  });

  it('only one pattern: a burst customer has at least K orders within the window, and nothing else fires', () => {
    const records = generate({ seed: 5, customers: 300, orders: 1000, fraud: { ...NO_FRAUD, orderBurst: { rate: 0.02 } } });
    const bursts = burstCustomers(records, orderBurst.orders, orderBurst.windowMs);
    expect(bursts.length).toBeGreaterThan(0);
    expect(largeOrders(records, largeAmount.minCents)).toEqual([]);
    expect(repeatedlyDeclinedOrders(records, repeatedDeclines.declines, repeatedDeclines.windowMs)).toEqual([]);
  });
});
