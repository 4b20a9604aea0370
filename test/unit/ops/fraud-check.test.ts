import type { FraudAlert, FraudCounters } from '../../../schemas/generated/types';
import {
  WHOLE_COUNTERS,
  clickHouseAlertMismatches,
  countersMismatches,
  expectedFraudAlertRow,
  recentAlertsMismatches,
  RecentAlerts,
} from '../../../scripts/ops/fraud-check';
import { alertEntry } from '../../../sinks/redis/alert-entry';
import { countersHashFields, ruleField } from '../../../sinks/redis/counters-hash';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const counters: FraudCounters = SAMPLE_RECORDS.FraudCounters;
const customer = counters.customerId;
const alertAt = (i: number): FraudAlert => ({
  ...SAMPLE_RECORDS.FraudAlert,
  alertId: `alert-${i}`,
  detectedAt: new Date(SAMPLE_RECORDS.FraudAlert.detectedAt.getTime() + i * 1000),
});
const [first, second] = [alertAt(1), alertAt(2)];

describe('countersMismatches', () => {
  const rule = ruleField('declines-per-10m');

  test('the hash the sink writes for the counters matches', () => {
    expect(countersMismatches(customer, counters, countersHashFields(counters))).toEqual([]);
  });

  test('a wrong field is named with both values', () => {
    const hash = { ...countersHashFields(counters), [rule]: '9' };
    expect(countersMismatches(customer, counters, hash)).toEqual([{ customerId: customer, store: 'redis', field: rule, expected: '2', actual: '9' }]);
  });

  test('a hash missing from Redis, or one the log does not have (a tombstone), is one mismatch', () => {
    expect(countersMismatches(customer, counters, {})).toEqual([
      { customerId: customer, store: 'redis', field: WHOLE_COUNTERS, expected: 'present', actual: null },
    ]);
    expect(countersMismatches(customer, undefined, countersHashFields(counters))).toEqual([
      { customerId: customer, store: 'redis', field: WHOLE_COUNTERS, expected: null, actual: 'present' },
    ]);
    expect(countersMismatches(customer, undefined, {})).toEqual([]);
  });
});

/** The row as ClickHouse 18.16 returns it in JSONEachRow: 64-bit integers as strings, and the sink's Kafka position. */
function rowAsRead(alert: FraudAlert, offset = '17'): Record<string, unknown> {
  const row: Record<string, unknown> = { ...expectedFraudAlertRow(alert), kafka_partition: 2, kafka_offset: offset };
  for (const column of ['observed', 'threshold']) row[column] = String(row[column]);
  return row;
}

describe('clickHouseAlertMismatches', () => {
  const expected = new Map([first, second].map((a) => [a.alertId, a]));

  test('one row per alert, as the sink writes it, matches wherever the sink put it', () => {
    expect(clickHouseAlertMismatches(expected, [rowAsRead(first), rowAsRead(second, '99')])).toEqual([]);
  });

  test('a missing alert and one the log does not have are named with their customer', () => {
    const extra = { ...alertAt(3), customerId: 'cust-9' };
    expect(clickHouseAlertMismatches(expected, [rowAsRead(first), rowAsRead(extra)])).toEqual([
      { customerId: customer, store: 'clickhouse', field: 'alert alert-2', expected: 'present', actual: null },
      { customerId: 'cust-9', store: 'clickhouse', field: 'alert alert-3', expected: null, actual: 'present' },
    ]);
  });

  test('an alert seen twice (FINAL did not merge the rows) and a differing column', () => {
    const wrong = rowAsRead({ ...second, observed: 99 });
    expect(clickHouseAlertMismatches(expected, [rowAsRead(first), rowAsRead(first, '18'), wrong])).toEqual([
      { customerId: customer, store: 'clickhouse', field: 'alert alert-1 rows', expected: '1', actual: '2' },
      { customerId: customer, store: 'clickhouse', field: 'alert alert-2 observed', expected: String(second.observed), actual: '99' },
    ]);
  });
});

describe('recentAlertsMismatches', () => {
  const held = (alerts: readonly FraudAlert[]): RecentAlerts => ({
    ids: alerts.map((a) => [a.alertId, alertEntry(a).score] as const),
    data: Object.fromEntries(alerts.map((a) => [a.alertId, alertEntry(a).json])),
  });

  test('the entries the sink writes for the kept alerts match', () => {
    expect(recentAlertsMismatches(customer, [first, second], held([first, second]))).toEqual([]);
  });

  test('an extra entry, a missing one and a wrong score are each named', () => {
    const extra = alertAt(3);
    const actual = held([first, extra]);
    const [, [, score] = ['', 0]] = actual.ids;
    expect(
      recentAlertsMismatches(customer, [first, second], {
        ...actual,
        ids: [
          [first.alertId, 1],
          [extra.alertId, score],
        ],
      }),
    ).toEqual([
      { customerId: customer, store: 'redis', field: 'alert alert-1 score', expected: String(alertEntry(first).score), actual: '1' },
      { customerId: customer, store: 'redis', field: 'alert alert-2', expected: 'present', actual: null },
      { customerId: customer, store: 'redis', field: 'alert alert-3', expected: null, actual: 'present' },
    ]);
  });

  test('an entry with data but no sorted set member, and data that is not the sink JSON', () => {
    const actual = held([first]);
    expect(recentAlertsMismatches(customer, [first], { ids: [], data: { ...actual.data, [first.alertId]: 'not json' } })).toEqual(
      expect.arrayContaining([
        { customerId: customer, store: 'redis', field: 'alert alert-1 score', expected: String(alertEntry(first).score), actual: null },
        { customerId: customer, store: 'redis', field: 'alert alert-1 json', expected: null, actual: 'not json' },
        { customerId: customer, store: 'redis', field: 'alert alert-1 rule', expected: first.rule, actual: null },
      ]),
    );
  });
});
