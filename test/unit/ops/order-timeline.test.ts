import { AggregateEvent, foldOrder } from '../../../lib/domain/orders/fold';
import { orderAtTime, SourcedEvent } from '../../../scripts/ops/order-timeline';
import { T0, authorized, captured, confirmed, placed, shipped } from '../../fixtures/order-events';

const min = (n: number) => T0 + n * 60_000;
const fromLog = (events: AggregateEvent[], topic: string): SourcedEvent[] =>
  events.map((event, i) => ({ event, source: { topic, partition: 3, offset: String(i) } }));

const orders = [placed(undefined, { at: min(0) }), confirmed(2, { at: min(2) }), shipped(3, { at: min(5) })];
const payments = [authorized(1, 4498, { at: min(1) }), captured(2, 4498, { at: min(3) })];
const log = [...fromLog(orders, 'orders.events'), ...fromLog(payments, 'payments.events')];

describe('orderAtTime', () => {
  test('folds the events that occurred at or before the instant, as foldOrder does', () => {
    for (const at of [min(0), min(1), min(2) + 1, min(3), min(4), min(10)]) {
      const upTo = [...orders, ...payments].filter((e) => e.value.envelope.occurredAt.getTime() <= at);
      expect(orderAtTime(log, new Date(at)).state).toEqual(foldOrder(upTo).state);
    }
    expect(orderAtTime(log, new Date(min(10))).state).toMatchObject({ status: 'SHIPPED', paymentStatus: 'CAPTURED', version: 3, paymentVersion: 2 });
  });

  test('the trail lists those events by time, each with its source and what the fold did', () => {
    const { trail } = orderAtTime(log, new Date(min(3)));
    expect(trail.map((e) => [e.event.type, e.source.topic, e.outcome])).toEqual([
      ['OrderPlaced', 'orders.events', 'applied'],
      ['PaymentAuthorized', 'payments.events', 'applied'],
      ['OrderConfirmed', 'orders.events', 'applied'],
      ['PaymentCaptured', 'payments.events', 'applied'],
    ]);
  });

  test('before the first event there is no state and no trail', () => {
    expect(orderAtTime(log, new Date(min(0) - 1))).toEqual({ state: null, trail: [] });
  });

  test('a payment logged before its order is folded after it (the aggregator parks it)', () => {
    const paymentFirst = [...fromLog(payments, 'payments.events'), ...fromLog(orders, 'orders.events')];
    expect(orderAtTime(paymentFirst, new Date(min(10))).state).toEqual(orderAtTime(log, new Date(min(10))).state);
  });

  test('duplicates and refused events stay in the trail, marked, and change nothing', () => {
    const redelivered = { event: orders[1]!, source: { topic: 'orders.events', partition: 3, offset: '9' } };
    const gap = { event: shipped(7, { at: min(6) }), source: { topic: 'orders.events', partition: 3, offset: '10' } };
    const { state, trail } = orderAtTime([...log, redelivered, gap], new Date(min(10)));
    expect(state).toEqual(orderAtTime(log, new Date(min(10))).state);
    expect(trail.filter((e) => e.source.offset === '9').map((e) => e.outcome)).toEqual(['duplicate']);
    const refused = trail.find((e) => e.source.offset === '10');
    expect(refused?.outcome).toBe('rejected');
    expect(refused?.reason).toMatch(/^VERSION_GAP: /);
  });
});
