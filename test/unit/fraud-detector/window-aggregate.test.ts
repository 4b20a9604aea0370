import {
  DEFAULT_FRAUD_RULES_CONFIG,
  EMPTY_WINDOW_AGGREGATE,
  FraudRule,
  WindowAddition,
  WindowAggregate,
  addToWindow,
  fraudRulesConfig,
  reachesThreshold,
} from '../../../lib/domain/fraud/rules';
import type { CustomerActivity } from '../../../schemas/generated/types';
import { deepFreeze } from '../../fixtures/order-events';
import { T0, activity } from './activities';

const config = DEFAULT_FRAUD_RULES_CONFIG;

/** Adds the activities in order, returning every addition. */
function run(rule: FraudRule, inputs: readonly CustomerActivity[], start?: WindowAggregate, cfg = config): WindowAddition[] {
  let aggregate = start;
  return inputs.map((input) => {
    const addition = addToWindow(rule, aggregate, input, cfg);
    aggregate = addition.aggregate;
    return addition;
  });
}

const orders = (n: number, amountCents = 1000): CustomerActivity[] =>
  Array.from({ length: n }, (_, i) => activity('ORDER_PLACED', T0 + i * 1000, { amountCents }));

test('thresholds fire when the value reaches them (≥)', () => {
  expect(reachesThreshold(4, 5)).toBe(false);
  expect(reachesThreshold(5, 5)).toBe(true);
  expect(reachesThreshold(6, 5)).toBe(true);
});

test('order-count crosses on the 5th order, once', () => {
  const additions = run('order-count', orders(7));
  expect(additions.map((a) => a.crossed)).toEqual([false, false, false, false, true, false, false]);
  expect(additions.map((a) => a.aggregate.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(additions.map((a) => a.aggregate.alerted)).toEqual([false, false, false, false, true, true, true]);
  expect(additions.every((a) => a.outcome === 'added')).toBe(true);
});

test('a duplicate changes nothing, not even at the threshold', () => {
  const inputs = orders(4);
  const [, , , fourth] = run('order-count', inputs);
  for (const input of inputs) {
    const again = addToWindow('order-count', fourth!.aggregate, input, config);
    expect(again).toEqual({ aggregate: fourth!.aggregate, outcome: 'duplicate', crossed: false });
    expect(again.aggregate).toBe(fourth!.aggregate);
  }
  // The same eventId under other content (a redelivery is byte-equal, but dedupe only trusts the id).
  const sameId = activity('ORDER_PLACED', T0, { eventId: inputs[0]!.eventId });
  expect(addToWindow('order-count', fourth!.aggregate, sameId, config).outcome).toBe('duplicate');
  expect(fourth!.aggregate.value).toBe(4);
  expect(fourth!.aggregate.eventIds).toEqual(inputs.map((i) => i.eventId));
});

test('order-amount sums amountCents and crosses when the sum reaches the threshold', () => {
  const additions = run('order-amount', [
    activity('ORDER_PLACED', T0, { amountCents: 200_000 }),
    activity('ORDER_PLACED', T0, { amountCents: 299_999 }),
    activity('ORDER_PLACED', T0, { amountCents: 1 }),
    activity('ORDER_PLACED', T0, { amountCents: 50_000 }),
  ]);
  expect(additions.map((a) => a.aggregate.value)).toEqual([200_000, 499_999, 500_000, 550_000]);
  expect(additions.map((a) => a.crossed)).toEqual([false, false, true, false]);
});

test('distinct-cards counts distinct fingerprints, not payments', () => {
  const additions = run('distinct-cards', [
    activity('PAYMENT_AUTHORIZED', T0, { card: 'fp-a' }),
    activity('PAYMENT_DECLINED', T0, { card: 'fp-a' }),
    activity('PAYMENT_DECLINED', T0, { card: 'fp-b' }),
    activity('PAYMENT_AUTHORIZED', T0, { card: 'fp-b' }),
    activity('PAYMENT_AUTHORIZED', T0, { card: 'fp-c' }),
    activity('PAYMENT_DECLINED', T0, { card: 'fp-d' }),
  ]);
  expect(additions.map((a) => a.aggregate.value)).toEqual([1, 1, 2, 2, 3, 4]);
  expect(additions.map((a) => a.crossed)).toEqual([false, false, false, false, true, false]);
  const last = additions[5]!.aggregate;
  expect(last.distinct).toEqual(['fp-a', 'fp-b', 'fp-c', 'fp-d']);
  expect(last.eventIds).toHaveLength(6);
});

test('declined-payments counts declines only', () => {
  const additions = run('declined-payments', [
    activity('PAYMENT_DECLINED', T0),
    activity('PAYMENT_AUTHORIZED', T0),
    activity('PAYMENT_DECLINED', T0),
    activity('PAYMENT_DECLINED', T0),
  ]);
  expect(additions.map((a) => a.outcome)).toEqual(['added', 'not-counted', 'added', 'added']);
  expect(additions.map((a) => a.crossed)).toEqual([false, false, false, true]);
});

test.each<[FraudRule, string, CustomerActivity]>([
  ['order-count', 'a payment', activity('PAYMENT_AUTHORIZED', T0)],
  ['order-count', 'a cancellation', activity('ORDER_CANCELLED', T0)],
  ['order-amount', 'a capture', activity('PAYMENT_CAPTURED', T0)],
  ['distinct-cards', 'an order', activity('ORDER_PLACED', T0)],
  ['distinct-cards', 'a payment without a fingerprint', activity('PAYMENT_DECLINED', T0, { card: null })],
  ['declined-payments', 'a refund', activity('REFUND_ISSUED', T0)],
])('%s does not count %s', (rule, _what, input) => {
  expect(addToWindow(rule, undefined, input, config)).toEqual({ aggregate: EMPTY_WINDOW_AGGREGATE, outcome: 'not-counted', crossed: false });
});

test('a window that alerted never crosses again, even restored above the threshold', () => {
  const restored: WindowAggregate = { value: 9, eventIds: ['a', 'b'], distinct: [], alerted: true };
  const addition = addToWindow('order-count', restored, activity('ORDER_PLACED', T0), config);
  expect(addition.outcome).toBe('added');
  expect(addition.crossed).toBe(false);
  expect(addition.aggregate.value).toBe(10);
});

test('a window above a lowered threshold that never alerted fires on its next addition', () => {
  const restored: WindowAggregate = { value: 6, eventIds: ['a', 'b', 'c', 'd', 'e', 'f'], distinct: [], alerted: false };
  expect(addToWindow('order-count', restored, activity('ORDER_PLACED', T0), config).crossed).toBe(true);
});

describe('a full window saturates', () => {
  const small = fraudRulesConfig({ maxEventIdsPerWindow: 5, rules: { 'order-count': { threshold: 3 } } });

  test('it counts nothing more, and still recognises what it counted', () => {
    const inputs = orders(7);
    const additions = run('order-count', inputs, undefined, small);
    expect(additions.map((a) => a.outcome)).toEqual(['added', 'added', 'added', 'added', 'added', 'saturated', 'saturated']);
    const full = additions[6]!.aggregate;
    expect(full.value).toBe(5);
    expect(full.eventIds).toEqual(inputs.slice(0, 5).map((i) => i.eventId));
    expect(addToWindow('order-count', full, inputs[0]!, small).outcome).toBe('duplicate');
    // The alert fired before saturation: the config keeps count thresholds within the cap.
    expect(additions.map((a) => a.crossed).indexOf(true)).toBe(2);
  });
});

test('inputs are never mutated', () => {
  const start = deepFreeze<WindowAggregate>({ value: 1, eventIds: ['x'], distinct: ['fp-x'], alerted: false });
  const input = deepFreeze(activity('PAYMENT_DECLINED', T0, { card: 'fp-y' }));
  const addition = addToWindow('distinct-cards', start, input, config);
  expect(addition.aggregate).toEqual({ value: 2, eventIds: ['x', input.eventId], distinct: ['fp-x', 'fp-y'], alerted: false });
  expect(start).toEqual({ value: 1, eventIds: ['x'], distinct: ['fp-x'], alerted: false });
});
