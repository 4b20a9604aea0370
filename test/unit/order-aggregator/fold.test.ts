import {
  AggregateEvent,
  FoldResult,
  ORDER_TRANSITIONS,
  PAYMENT_TRANSITIONS,
  REJECTION_REASONS,
  applyEvent,
  applyOrderEvent,
  applyPaymentEvent,
  foldOrder,
} from '../../../lib/domain/orders/fold';
import type { OrderEvent, OrderState, OrderStatus, PaymentEvent, PaymentStatus } from '../../../schemas/generated/types';
import {
  CUSTOMER_ID,
  MUG,
  ORDER_ID,
  SPOON,
  T0,
  TEAPOT,
  added,
  authorized,
  cancelled,
  captured,
  declined,
  deepFreeze,
  delivered,
  placed,
  refunded,
  removed,
  shipped,
  confirmed,
} from '../../fixtures/order-events';

const PLACED_TOTAL = 2 * 1250 + 3999;

function folded(events: readonly AggregateEvent[]): OrderState {
  const fold = foldOrder(events);
  expect(fold.rejections).toEqual([]);
  if (fold.state === null) throw new Error('no state');
  return fold.state;
}

function expectApplied(result: FoldResult): OrderState {
  if (result.kind !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(result)}`);
  return result.state;
}

function expectRejected(result: FoldResult, code: keyof typeof REJECTION_REASONS): void {
  if (result.kind !== 'rejected') throw new Error(`expected ${code}, got ${result.kind}`);
  expect(result.rejection.code).toBe(code);
}

/** The shortest event history that leaves the order in each status. */
const ORDER_PATHS: { readonly [S in OrderStatus]: readonly OrderEvent[] } = {
  PLACED: [placed()],
  CONFIRMED: [placed(), confirmed(2)],
  SHIPPED: [placed(), confirmed(2), shipped(3)],
  DELIVERED: [placed(), confirmed(2), shipped(3), delivered(4)],
  CANCELLED: [placed(), cancelled(2)],
};

/** Payment histories that leave room for one more capture or refund of 1000 cents where allowed. */
const PAYMENT_PATHS: { readonly [S in PaymentStatus]: readonly PaymentEvent[] } = {
  NONE: [],
  AUTHORIZED: [authorized(1, PLACED_TOTAL)],
  DECLINED: [declined(1, PLACED_TOTAL)],
  CAPTURED: [authorized(1, PLACED_TOTAL), captured(2, 3000)],
  REFUNDED: [authorized(1, PLACED_TOTAL), captured(2, PLACED_TOTAL), refunded(3, 1000)],
};

const ORDER_CHANGES: { readonly [T in keyof typeof ORDER_TRANSITIONS]: (version: number) => OrderEvent } = {
  OrderItemAdded: (v) => added(v, SPOON),
  OrderItemRemoved: (v) => removed(v, MUG.sku, 1),
  OrderConfirmed: (v) => confirmed(v),
  OrderShipped: (v) => shipped(v),
  OrderDelivered: (v) => delivered(v),
  OrderCancelled: (v) => cancelled(v),
};

const PAYMENT_EVENTS: { readonly [T in keyof typeof PAYMENT_TRANSITIONS]: (version: number) => PaymentEvent } = {
  PaymentAuthorized: (v) => authorized(v, 1000),
  PaymentDeclined: (v) => declined(v, 1000),
  PaymentCaptured: (v) => captured(v, 1000),
  RefundIssued: (v) => refunded(v, 1000),
};

/**
 * The lifecycle as the domain states it, written out here independently of
 * ORDER_TRANSITIONS so that a change to the table has to be made twice.
 */
const EXPECTED_ORDER_LIFECYCLE: ReadonlyArray<[keyof typeof ORDER_CHANGES, readonly OrderStatus[], OrderStatus]> = [
  ['OrderItemAdded', ['PLACED'], 'PLACED'],
  ['OrderItemRemoved', ['PLACED'], 'PLACED'],
  ['OrderConfirmed', ['PLACED'], 'CONFIRMED'],
  ['OrderShipped', ['CONFIRMED'], 'SHIPPED'],
  ['OrderDelivered', ['SHIPPED'], 'DELIVERED'],
  ['OrderCancelled', ['PLACED', 'CONFIRMED', 'SHIPPED'], 'CANCELLED'],
];

const EXPECTED_PAYMENT_LIFECYCLE: ReadonlyArray<[keyof typeof PAYMENT_EVENTS, readonly PaymentStatus[], PaymentStatus]> = [
  ['PaymentAuthorized', ['NONE', 'DECLINED'], 'AUTHORIZED'],
  ['PaymentDeclined', ['NONE', 'DECLINED'], 'DECLINED'],
  ['PaymentCaptured', ['AUTHORIZED', 'CAPTURED'], 'CAPTURED'],
  ['RefundIssued', ['CAPTURED', 'REFUNDED'], 'REFUNDED'],
];

const ORDER_STATUSES = Object.keys(ORDER_PATHS) as OrderStatus[];
const PAYMENT_STATUSES = Object.keys(PAYMENT_PATHS) as PaymentStatus[];

describe('OrderPlaced', () => {
  it('creates the state from the event', () => {
    const event = placed();
    const state = expectApplied(applyOrderEvent(null, event));
    expect(state).toEqual({
      orderId: ORDER_ID,
      customerId: CUSTOMER_ID,
      status: 'PLACED',
      items: [MUG, TEAPOT],
      totalCents: PLACED_TOTAL,
      currency: 'EUR',
      placedAt: new Date(T0 + 60_000),
      confirmedAt: null,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      carrier: null,
      trackingNumber: null,
      cancelReason: null,
      cancelledBy: null,
      paymentStatus: 'NONE',
      amountAuthorizedCents: 0,
      amountCapturedCents: 0,
      amountRefundedCents: 0,
      lastEventAt: new Date(T0 + 60_000),
      lastEventId: event.value.envelope.eventId,
      version: 1,
      paymentVersion: 0,
    });
  });

  it('merges lines of the same sku into one', () => {
    const state = expectApplied(applyOrderEvent(null, placed([MUG, TEAPOT, { ...MUG, quantity: 3 }])));
    expect(state.items).toEqual([{ ...MUG, quantity: 5 }, TEAPOT]);
    expect(state.totalCents).toBe(5 * 1250 + 3999);
  });

  it('must be version 1', () => {
    expectRejected(applyOrderEvent(null, placed(undefined, { version: 2 })), 'VERSION_GAP');
  });

  it('must state the total of its items', () => {
    expectRejected(applyOrderEvent(null, placed([MUG], { totalCents: 2499 })), 'TOTAL_MISMATCH');
  });

  it('refuses one sku at two prices, and non-positive quantities', () => {
    expectRejected(applyOrderEvent(null, placed([MUG, { ...MUG, unitPriceCents: 999 }])), 'PRICE_CONFLICT');
    expectRejected(applyOrderEvent(null, placed([{ ...MUG, quantity: 0 }])), 'INVALID_QUANTITY');
  });

  it('is refused a second time with a new version, and skipped as a redelivery', () => {
    const state = folded([placed()]);
    expectRejected(applyOrderEvent(state, placed(undefined, { version: 2 })), 'ALREADY_PLACED');
    expect(applyOrderEvent(state, placed()).kind).toBe('duplicate');
  });
});

describe('events before OrderPlaced', () => {
  it.each(Object.entries(ORDER_CHANGES))('%s is rejected as NOT_PLACED', (_type, make) => {
    const result = applyOrderEvent(null, make(1));
    expectRejected(result, 'NOT_PLACED');
    expect(result.state).toBeNull();
  });

  it.each(Object.entries(PAYMENT_EVENTS))('%s is rejected as NOT_PLACED', (_type, make) => {
    expectRejected(applyPaymentEvent(null, make(1)), 'NOT_PLACED');
  });
});

describe('version gating of order events', () => {
  const state = folded([placed(), added(2, SPOON), confirmed(3)]);

  it.each([1, 2, 3])('skips version %d, already folded, and returns the same state', (version) => {
    const result = applyOrderEvent(state, shipped(version));
    expect(result.kind).toBe('duplicate');
    expect(result.state).toBe(state);
  });

  it('rejects a gap and keeps the state', () => {
    const result = applyOrderEvent(state, shipped(5));
    expectRejected(result, 'VERSION_GAP');
    expect(result.state).toBe(state);
    if (result.kind === 'rejected') expect(result.rejection.message).toContain('expected order version 4, got 5');
  });

  it('applies the next version', () => {
    expect(expectApplied(applyOrderEvent(state, shipped(4))).version).toBe(4);
  });

  it('rejects an event of another order', () => {
    expectRejected(applyOrderEvent(state, shipped(4, { orderId: 'order-2' })), 'AGGREGATE_MISMATCH');
  });
});

describe('order lines', () => {
  const open = folded([placed()]);

  it('adds a new line and recomputes the total', () => {
    const state = expectApplied(applyOrderEvent(open, added(2, SPOON)));
    expect(state.items).toEqual([MUG, TEAPOT, SPOON]);
    expect(state.totalCents).toBe(PLACED_TOTAL + 4 * 199);
  });

  it('adds units to a line of the same sku and price', () => {
    const state = expectApplied(applyOrderEvent(open, added(2, { ...MUG, quantity: 1 })));
    expect(state.items).toEqual([{ ...MUG, quantity: 3 }, TEAPOT]);
    expect(state.totalCents).toBe(PLACED_TOTAL + 1250);
  });

  it('refuses a sku already in the order at another price', () => {
    expectRejected(applyOrderEvent(open, added(2, { ...MUG, unitPriceCents: 1300 })), 'PRICE_CONFLICT');
  });

  it('removes some units, then the whole line', () => {
    const some = expectApplied(applyOrderEvent(open, removed(2, MUG.sku, 1)));
    expect(some.items).toEqual([{ ...MUG, quantity: 1 }, TEAPOT]);
    expect(some.totalCents).toBe(PLACED_TOTAL - 1250);
    const all = expectApplied(applyOrderEvent(some, removed(3, MUG.sku, 1)));
    expect(all.items).toEqual([TEAPOT]);
    expect(all.totalCents).toBe(3999);
  });

  it('refuses to remove more of a sku than the order holds, or a sku it does not hold', () => {
    expectRejected(applyOrderEvent(open, removed(2, MUG.sku, 3)), 'INSUFFICIENT_QUANTITY');
    expectRejected(applyOrderEvent(open, removed(2, SPOON.sku, 1)), 'INSUFFICIENT_QUANTITY');
  });

  it.each([0, -1, 1.5])('refuses quantity %d', (quantity) => {
    expectRejected(applyOrderEvent(open, removed(2, MUG.sku, quantity)), 'INVALID_QUANTITY');
    expectRejected(applyOrderEvent(open, added(2, { ...SPOON, quantity })), 'INVALID_QUANTITY');
  });

  it('refuses to confirm an order whose every line was removed', () => {
    const empty = folded([placed(), removed(2, MUG.sku, 2), removed(3, TEAPOT.sku, 1)]);
    expect(empty.items).toEqual([]);
    expect(empty.totalCents).toBe(0);
    expectRejected(applyOrderEvent(empty, confirmed(4)), 'EMPTY_ORDER');
  });
});

describe('order status transitions', () => {
  it('the table matches the lifecycle', () => {
    for (const [type, from, to] of EXPECTED_ORDER_LIFECYCLE) expect(ORDER_TRANSITIONS[type]).toEqual({ from, to });
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual(EXPECTED_ORDER_LIFECYCLE.map(([t]) => t).sort());
  });

  const cases = EXPECTED_ORDER_LIFECYCLE.flatMap(([type, from, to]) =>
    ORDER_STATUSES.map((status): [string, OrderStatus, boolean, OrderStatus] => [type, status, from.includes(status), to]),
  );

  it.each(cases)('%s when %s: allowed %s', (type, status, allowed, to) => {
    const state = folded(ORDER_PATHS[status]);
    const result = applyOrderEvent(state, ORDER_CHANGES[type as keyof typeof ORDER_CHANGES](state.version + 1));
    if (allowed) {
      expect(expectApplied(result).status).toBe(to);
    } else {
      expectRejected(result, 'TRANSITION_FORBIDDEN');
      expect(result.state).toBe(state);
    }
  });

  it.each<[string, OrderStatus, (v: number) => OrderEvent]>([
    ['an item added after confirmation', 'CONFIRMED', (v) => added(v, SPOON)],
    ['an item added after shipment', 'SHIPPED', (v) => added(v, SPOON)],
    ['an item removed after confirmation', 'CONFIRMED', (v) => removed(v, MUG.sku, 1)],
    ['shipping a cancelled order', 'CANCELLED', (v) => shipped(v)],
    ['delivering an unshipped order', 'CONFIRMED', (v) => delivered(v)],
    ['delivering a placed order', 'PLACED', (v) => delivered(v)],
    ['cancelling a delivered order', 'DELIVERED', (v) => cancelled(v)],
    ['cancelling twice', 'CANCELLED', (v) => cancelled(v)],
    ['confirming twice', 'CONFIRMED', (v) => confirmed(v)],
  ])('refuses %s, with a message naming the order, event and status', (_name, status, make) => {
    const state = folded(ORDER_PATHS[status]);
    const event = make(state.version + 1);
    const result = applyOrderEvent(state, event);
    if (result.kind !== 'rejected') throw new Error(`expected a rejection, got ${result.kind}`);
    expect(result.rejection).toMatchObject({
      code: 'TRANSITION_FORBIDDEN',
      eventId: event.value.envelope.eventId,
      eventType: event.type,
      aggregateVersion: state.version + 1,
    });
    expect(result.rejection.message).toContain(ORDER_ID);
    expect(result.rejection.message).toContain(event.type);
    expect(result.rejection.message).toContain(`when the order is ${status}`);
  });

  it('records when and how each step happened', () => {
    const state = folded([placed(), confirmed(2), shipped(3), delivered(4)]);
    expect(state).toMatchObject({
      status: 'DELIVERED',
      confirmedAt: new Date(T0 + 2 * 60_000),
      shippedAt: new Date(T0 + 3 * 60_000),
      deliveredAt: new Date(T0 + 4 * 60_000),
      carrier: 'DHL',
      trackingNumber: 'JD014600001',
      cancelledAt: null,
      version: 4,
    });
    const gone = folded([placed(), cancelled(2)]);
    expect(gone).toMatchObject({
      status: 'CANCELLED',
      cancelledAt: new Date(T0 + 2 * 60_000),
      cancelReason: 'changed my mind',
      cancelledBy: 'customer',
    });
  });
});

describe('payment events', () => {
  it('the table matches the payment lifecycle', () => {
    for (const [type, from, to] of EXPECTED_PAYMENT_LIFECYCLE) expect(PAYMENT_TRANSITIONS[type]).toEqual({ from, to });
    expect(Object.keys(PAYMENT_TRANSITIONS).sort()).toEqual(EXPECTED_PAYMENT_LIFECYCLE.map(([t]) => t).sort());
  });

  const cases = EXPECTED_PAYMENT_LIFECYCLE.flatMap(([type, from, to]) =>
    PAYMENT_STATUSES.map((status): [string, PaymentStatus, boolean, PaymentStatus] => [type, status, from.includes(status), to]),
  );

  it.each(cases)('%s when %s: allowed %s', (type, status, allowed, to) => {
    const state = folded([placed(), ...PAYMENT_PATHS[status]]);
    const result = applyPaymentEvent(state, PAYMENT_EVENTS[type as keyof typeof PAYMENT_EVENTS](state.paymentVersion + 1));
    if (allowed) {
      expect(expectApplied(result).paymentStatus).toBe(to);
    } else {
      expectRejected(result, 'PAYMENT_TRANSITION_FORBIDDEN');
      expect(result.state).toBe(state);
    }
  });

  it('sums the amounts of each kind', () => {
    const state = folded([
      placed(),
      declined(1, PLACED_TOTAL),
      authorized(2, PLACED_TOTAL),
      captured(3, 4000),
      captured(4, PLACED_TOTAL - 4000),
      refunded(5, 1250),
      refunded(6, 1000),
    ]);
    expect(state).toMatchObject({
      paymentStatus: 'REFUNDED',
      amountAuthorizedCents: PLACED_TOTAL,
      amountCapturedCents: PLACED_TOTAL,
      amountRefundedCents: 2250,
      paymentVersion: 6,
      version: 1,
    });
  });

  it('captures no more than authorized, refunds no more than captured', () => {
    const authorizedState = folded([placed(), authorized(1, 5000), captured(2, 4000)]);
    expectRejected(applyPaymentEvent(authorizedState, captured(3, 1001)), 'CAPTURE_EXCEEDS_AUTHORIZED');
    expectApplied(applyPaymentEvent(authorizedState, captured(3, 1000)));
    const capturedState = folded([placed(), authorized(1, 5000), captured(2, 5000), refunded(3, 4000)]);
    expectRejected(applyPaymentEvent(capturedState, refunded(4, 1001)), 'REFUND_EXCEEDS_CAPTURED');
    expectApplied(applyPaymentEvent(capturedState, refunded(4, 1000)));
  });

  it('refuses another currency and non-positive amounts', () => {
    const state = folded([placed()]);
    expectRejected(applyPaymentEvent(state, authorized(1, 1000, { currency: 'USD' })), 'CURRENCY_MISMATCH');
    expectRejected(applyPaymentEvent(state, authorized(1, 0)), 'INVALID_AMOUNT');
    expectRejected(applyPaymentEvent(state, authorized(1, 10.5)), 'INVALID_AMOUNT');
  });

  it('gates on paymentVersion, independently of the order version', () => {
    const state = folded([placed(), added(2, SPOON), confirmed(3), authorized(1, PLACED_TOTAL)]);
    expect(state).toMatchObject({ version: 3, paymentVersion: 1 });
    const dup = applyPaymentEvent(state, authorized(1, PLACED_TOTAL));
    expect(dup.kind).toBe('duplicate');
    expect(dup.state).toBe(state);
    expectRejected(applyPaymentEvent(state, captured(3, 100)), 'VERSION_GAP');
    const next = expectApplied(applyPaymentEvent(state, captured(2, 100)));
    expect(next).toMatchObject({ version: 3, paymentVersion: 2 });
    // An order event never moves paymentVersion.
    expect(expectApplied(applyOrderEvent(next, shipped(4)))).toMatchObject({ version: 4, paymentVersion: 2 });
  });

  it('rejects a payment of another order', () => {
    expectRejected(applyPaymentEvent(folded([placed()]), authorized(1, 100, { orderId: 'order-2' })), 'AGGREGATE_MISMATCH');
  });

  it('does not depend on the order status, whose topic it is not ordered against', () => {
    const gone = folded([placed(), authorized(1, PLACED_TOTAL), captured(2, PLACED_TOTAL), cancelled(2)]);
    expect(expectApplied(applyPaymentEvent(gone, refunded(3, PLACED_TOTAL))).paymentStatus).toBe('REFUNDED');
    // Payments consumed before the order events that preceded them in time.
    const early = folded([placed(), authorized(1, PLACED_TOTAL), captured(2, PLACED_TOTAL), confirmed(2), shipped(3)]);
    expect(early).toMatchObject({ status: 'SHIPPED', paymentStatus: 'CAPTURED' });
  });

  it('names the latest event by occurredAt in lastEventAt and lastEventId, whatever the folding order', () => {
    const confirm = confirmed(2, { at: T0 + 10 * 60_000 });
    const state = folded([placed(), confirm]);
    const late = authorized(1, PLACED_TOTAL, { at: T0 + 5 * 60_000 });
    const next = expectApplied(applyPaymentEvent(state, late));
    expect(next.lastEventAt).toEqual(new Date(T0 + 10 * 60_000));
    expect(next.lastEventId).toBe(confirm.value.envelope.eventId);
    const later = authorized(1, PLACED_TOTAL, { at: T0 + 20 * 60_000 });
    expect(expectApplied(applyPaymentEvent(state, later)).lastEventId).toBe(later.value.envelope.eventId);
  });
});

describe('immutability', () => {
  it('never mutates the state or the event, and shares no mutable object with the event', () => {
    const history: AggregateEvent[] = [
      placed([MUG, TEAPOT, { ...MUG, quantity: 1 }]),
      added(2, SPOON),
      removed(3, MUG.sku, 1),
      authorized(1, PLACED_TOTAL + 4 * 199 - 1250),
      captured(2, 1000),
      confirmed(4),
      shipped(5),
      delivered(6),
      refunded(3, 500),
    ].map(deepFreeze);
    const snapshots = history.map((e) => structuredClone(e));
    let state: OrderState | null = null;
    for (const event of history) {
      const before = state === null ? null : structuredClone(state);
      const frozen: OrderState | null = state === null ? null : deepFreeze(state);
      const result = applyEvent(frozen, event);
      expect(result.kind).toBe('applied');
      expect(frozen).toEqual(before);
      expect(result.state).not.toBe(frozen);
      state = result.state;
    }
    expect(history).toEqual(snapshots);
    const first = history[0]!;
    const created = expectApplied(applyEvent(null, first));
    if (first.type !== 'OrderPlaced') throw new Error('unreachable');
    expect(created.items).not.toBe(first.value.items);
    expect(created.placedAt).not.toBe(first.value.envelope.occurredAt);
    expect(created.lastEventAt).not.toBe(first.value.envelope.occurredAt);
  });
});

describe('foldOrder', () => {
  it('folds a whole history and reports rejections and duplicates in order', () => {
    const events: AggregateEvent[] = [
      placed(),
      authorized(1, PLACED_TOTAL),
      authorized(1, PLACED_TOTAL),
      confirmed(2),
      added(3, SPOON),
      captured(2, PLACED_TOTAL),
      shipped(3),
      shipped(3),
      delivered(6),
      delivered(4),
    ];
    const fold = foldOrder(events);
    expect(fold.applied).toBe(6);
    expect(fold.duplicates).toBe(2);
    expect(fold.rejections.map((r) => [r.eventType, r.code])).toEqual([
      ['OrderItemAdded', 'TRANSITION_FORBIDDEN'],
      ['OrderDelivered', 'VERSION_GAP'],
    ]);
    expect(fold.state).toMatchObject({ status: 'DELIVERED', paymentStatus: 'CAPTURED', version: 4, paymentVersion: 2 });
  });

  it('continues from an initial state, and is null when nothing was placed', () => {
    const state = folded([placed(), confirmed(2)]);
    expect(foldOrder([shipped(3)], state).state).toMatchObject({ status: 'SHIPPED' });
    const none = foldOrder([confirmed(2), authorized(1, 10)]);
    expect(none.state).toBeNull();
    expect(none.rejections.map((r) => r.code)).toEqual(['NOT_PLACED', 'NOT_PLACED']);
  });

  it('describes every rejection code', () => {
    for (const text of Object.values(REJECTION_REASONS)) expect(text.length).toBeGreaterThan(10);
  });
});
