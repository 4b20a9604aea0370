import type { FraudAlert, FraudCounters } from '../../../schemas/generated/types';
import { alertEntry } from '../../../sinks/redis/alert-entry';
import { countersHashFields, parseCountersHash } from '../../../sinks/redis/counters-hash';

const at = (iso: string) => new Date(iso);

const counters: FraudCounters = {
  customerId: 'c-1',
  version: 7,
  updatedAt: at('2024-03-01T10:30:00.000Z'),
  lastEventId: 'e-9',
  counters: [
    {
      rule: 'order-count',
      windowStart: at('2024-03-01T09:45:00.000Z'),
      windowEnd: at('2024-03-01T10:45:00.000Z'),
      value: 3,
      eventIds: ['a', 'b', 'c'],
      alerted: false,
    },
    {
      rule: 'order-count',
      windowStart: at('2024-03-01T10:00:00.000Z'),
      windowEnd: at('2024-03-01T11:00:00.000Z'),
      value: 3,
      eventIds: ['a', 'b', 'c'],
      alerted: false,
    },
    { rule: 'order-count', windowStart: at('2024-03-01T10:15:00.000Z'), windowEnd: at('2024-03-01T11:15:00.000Z'), value: 1, eventIds: ['c'], alerted: false },
    {
      rule: 'declined-payments',
      windowStart: at('2024-03-01T10:20:00.000Z'),
      windowEnd: at('2024-03-01T10:30:00.000Z'),
      value: 2,
      eventIds: ['d', 'e'],
      alerted: true,
    },
  ],
};

test('each rule shows its highest open window (the oldest on a tie); all windows are kept as JSON without event ids', () => {
  const fields = countersHashFields(counters);
  expect(fields).toMatchObject({
    customerId: 'c-1',
    version: '7',
    updatedAt: '2024-03-01T10:30:00.000Z',
    lastEventId: 'e-9',
    'rule:order-count': '3',
    'rule:order-count:window': '2024-03-01T09:45:00.000Z/2024-03-01T10:45:00.000Z',
    'rule:declined-payments': '2',
    'rule:declined-payments:window': '2024-03-01T10:20:00.000Z/2024-03-01T10:30:00.000Z',
  });
  expect(Object.keys(fields)).toHaveLength(9);
  expect(JSON.parse(fields['windows']!)).toHaveLength(4);
  expect(fields['windows']).not.toContain('eventIds');
});

test('counters read back per rule', () => {
  expect(parseCountersHash('sf:fraud:c-1', countersHashFields(counters))).toEqual({
    customerId: 'c-1',
    version: 7,
    updatedAt: '2024-03-01T10:30:00.000Z',
    lastEventId: 'e-9',
    rules: [
      { rule: 'declined-payments', value: 2, windowStart: '2024-03-01T10:20:00.000Z', windowEnd: '2024-03-01T10:30:00.000Z' },
      { rule: 'order-count', value: 3, windowStart: '2024-03-01T09:45:00.000Z', windowEnd: '2024-03-01T10:45:00.000Z' },
    ],
  });
});

test('an alert entry is scored by its event time and serializes the same way every time', () => {
  const alert: FraudAlert = {
    alertId: 'a-1',
    customerId: 'c-1',
    rule: 'order-count',
    windowStart: at('2024-03-01T09:45:00.000Z'),
    windowEnd: at('2024-03-01T10:45:00.000Z'),
    observed: 5,
    threshold: 5,
    triggeringEventIds: ['x', 'y'],
    detectedAt: at('2024-03-01T10:31:00.000Z'),
  };
  const entry = alertEntry(alert);
  expect(entry.score).toBe(Date.parse('2024-03-01T10:31:00.000Z'));
  expect(entry.json).toBe(
    '{"alertId":"a-1","customerId":"c-1","rule":"order-count","windowStart":"2024-03-01T09:45:00.000Z","windowEnd":"2024-03-01T10:45:00.000Z","observed":5,"threshold":5,"detectedAt":"2024-03-01T10:31:00.000Z","triggeringEventIds":["x","y"]}',
  );
  expect(alertEntry({ ...alert, triggeringEventIds: ['x', 'y'] }).json).toBe(entry.json);
});
