import { DEFAULT_FRAUD_RULES_CONFIG, RuleWindow, buildFraudCounters } from '../../../lib/domain/fraud/rules';
import { TOPIC } from '../../../lib/topics';
import { getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import { CUSTOMER, Driver, HOUR, MINUTE, T0, activity } from './activities';

const config = DEFAULT_FRAUD_RULES_CONFIG;
const counterRecord = getCatalogRecord(loadSchemaCatalog(), TOPIC.fraudCounters, 'com.streamfold.derived.FraudCounters');

const aggregate = (value: number, eventIds: string[], alerted = false) => ({ value, eventIds, distinct: [], alerted });

test('a snapshot of every open window, rules in declaration order then by start, version + 1', () => {
  const windows: RuleWindow[] = [
    { rule: 'declined-payments', window: { start: T0 + MINUTE, end: T0 + 11 * MINUTE }, aggregate: aggregate(1, ['d2']) },
    { rule: 'order-count', window: { start: T0, end: T0 + HOUR }, aggregate: aggregate(5, ['o1', 'o2', 'o3', 'o4', 'o5'], true) },
    { rule: 'declined-payments', window: { start: T0, end: T0 + 10 * MINUTE }, aggregate: aggregate(2, ['d1', 'd2']) },
  ];
  const counters = buildFraudCounters(
    { customerId: CUSTOMER, windows, previousVersion: 6, streamTime: T0 + 2 * MINUTE, updatedAt: new Date(T0 + 2 * MINUTE), lastEventId: 'd2' },
    config,
  );
  expect(counters).toEqual({
    customerId: CUSTOMER,
    counters: [
      { rule: 'order-count', windowStart: new Date(T0), windowEnd: new Date(T0 + HOUR), value: 5, eventIds: ['o1', 'o2', 'o3', 'o4', 'o5'], alerted: true },
      { rule: 'declined-payments', windowStart: new Date(T0), windowEnd: new Date(T0 + 10 * MINUTE), value: 2, eventIds: ['d1', 'd2'], alerted: false },
      { rule: 'declined-payments', windowStart: new Date(T0 + MINUTE), windowEnd: new Date(T0 + 11 * MINUTE), value: 1, eventIds: ['d2'], alerted: false },
    ],
    version: 7,
    updatedAt: new Date(T0 + 2 * MINUTE),
    lastEventId: 'd2',
  });
  expect(counterRecord.type.isValid(counters)).toBe(true);
});

test('windows closed at stream time (end + grace) are left out', () => {
  const windows: RuleWindow[] = [
    { rule: 'declined-payments', window: { start: T0, end: T0 + 10 * MINUTE }, aggregate: aggregate(1, ['a']) },
    { rule: 'declined-payments', window: { start: T0 + MINUTE, end: T0 + 11 * MINUTE }, aggregate: aggregate(1, ['a']) },
  ];
  const snapshot = { customerId: CUSTOMER, windows, previousVersion: 0, updatedAt: new Date(T0), lastEventId: null };
  const at = (streamTime: number) => buildFraudCounters({ ...snapshot, streamTime }, config).counters.map((c) => c.windowStart.getTime());
  expect(at(T0 + 15 * MINUTE - 1)).toEqual([T0, T0 + MINUTE]);
  expect(at(T0 + 15 * MINUTE)).toEqual([T0 + MINUTE]);
  expect(buildFraudCounters({ ...snapshot, streamTime: T0 }, config).version).toBe(1);
});

test('from a driven customer: valid, and equal inputs give equal records', () => {
  const driver = new Driver();
  const inputs = [
    activity('ORDER_PLACED', T0, { amountCents: 1234 }),
    activity('PAYMENT_DECLINED', T0 + MINUTE, { card: 'fp-a' }),
    activity('PAYMENT_AUTHORIZED', T0 + 2 * MINUTE, { card: 'fp-b' }),
  ];
  driver.pushAll(inputs);
  const snapshot = {
    customerId: CUSTOMER,
    windows: driver.ruleWindows(),
    previousVersion: 2,
    streamTime: driver.streamTime,
    updatedAt: inputs[2]!.occurredAt,
    lastEventId: inputs[2]!.eventId,
  };
  const counters = buildFraudCounters(snapshot, config);
  expect(counterRecord.type.isValid(counters)).toBe(true);
  // 12 order-count + 24 order-amount + 24 distinct-cards + 10 declined-payments windows
  expect(counters.counters).toHaveLength(70);
  const reversed = buildFraudCounters({ ...snapshot, windows: [...snapshot.windows].reverse() }, config);
  expect(counterRecord.type.toBuffer(reversed).equals(counterRecord.type.toBuffer(counters))).toBe(true);
});

test.each([-1, 1.5, Number.NaN])('previousVersion %p is refused', (previousVersion) => {
  expect(() =>
    buildFraudCounters({ customerId: CUSTOMER, windows: [], previousVersion, streamTime: T0, updatedAt: new Date(T0), lastEventId: null }, config),
  ).toThrow(/previousVersion must be a non-negative integer/);
});
