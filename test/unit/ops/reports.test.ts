import { foldOrder } from '../../../lib/domain/orders/fold';
import type { OrderState } from '../../../schemas/generated/types';
import { orderAtTime } from '../../../scripts/ops/order-timeline';
import { formatStateAt, noEvents, stateAtJson, stateAtReport } from '../../../scripts/ops/state-at-report';
import { agrees, formatVerify, verifyJson } from '../../../scripts/ops/verify-report';
import type { VerifyResult } from '../../../scripts/ops/verify-projections';
import { T0, confirmed, placed } from '../../fixtures/order-events';

const events = [placed(undefined, { at: T0 }), confirmed(2, { at: T0 + 1000 })].map((event, i) => ({
  event,
  source: { topic: 'orders.events', partition: 1, offset: String(i) },
}));
const at = new Date(T0 + 5000);

describe('state-at report', () => {
  const kafka = { source: 'kafka' as const, readFrom: 'orders.events[1] to the end', ...orderAtTime(events, at) };
  const clickhouse = {
    source: 'clickhouse' as const,
    readFrom: 'db.events FINAL',
    ...orderAtTime(
      events.map((e) => ({ ...e, source: { topic: e.source.topic } })),
      at,
    ),
  };

  test('agreeing sources: no differences; the text shows the state and each event of the trail', () => {
    const report = stateAtReport('order-1', at, [kafka, clickhouse]);
    expect(report.differences).toEqual([]);
    expect(noEvents(report)).toBe(false);
    const text = formatStateAt(report);
    expect(text).toContain('order order-1 as of 2024-05-01T12:00:05.000Z (event time)');
    expect(text).toMatch(/status\s+CONFIRMED/);
    expect(text).toMatch(/2024-05-01T12:00:01.000Z\s+OrderConfirmed\s+v2\s+correlation corr-1\s+orders.events\[1\]@1\s+applied/);
    expect(text).toContain('kafka and clickhouse agree');
    expect(stateAtJson(report)).toMatchObject({ agree: true, sources: [{ trail: [{ type: 'OrderPlaced', partition: 1, offset: '0' }, { version: 2 }] }, {}] });
  });

  test('differing sources: each differing field is flagged', () => {
    const stale = { ...clickhouse, ...orderAtTime(events.slice(0, 1), at) };
    const report = stateAtReport('order-1', at, [kafka, stale]);
    expect(report.differences.map((d) => d.field)).toEqual(expect.arrayContaining(['status', 'version']));
    expect(formatStateAt(report)).toMatch(/DIFFER in \d+ field\(s\):\n\s+status\s+kafka CONFIRMED\s+clickhouse PLACED/);
  });

  test('no event by then in any source', () => {
    const before = new Date(T0 - 1);
    expect(noEvents(stateAtReport('order-1', before, [{ ...kafka, ...orderAtTime(events, before) }]))).toBe(true);
  });
});

describe('verify report', () => {
  const state = foldOrder(events.map((e) => e.event)).state as OrderState;
  const counts = new Map([['CONFIRMED', 1]]);
  const fraud: VerifyResult['fraud'] = {
    counters: { read: { records: 4, skipped: 0 }, customers: 2, checked: 2, mismatches: [] },
    alerts: { read: { records: 3, skipped: 1 }, alerts: 2, customers: 1, notKeyedByCustomer: 0, clickhouseRows: 2, recentCap: 20, mismatches: [] },
  };
  const clean: VerifyResult = {
    records: 2,
    deadLettered: 0,
    orders: 1,
    checked: 1,
    statusCounts: { log: counts, redis: counts, clickhouse: counts },
    mismatches: [],
    fraud,
  };
  const stores = {
    redis: 'keys sf:order:*',
    clickhouse: 'streamfold.order_state',
    redisCounters: 'keys sf:fraud:*',
    redisAlerts: 'keys sf:alerts:*',
    clickhouseAlerts: 'streamfold.fraud_alerts FINAL',
  };

  test('clean: OK, with a section per check', () => {
    expect(agrees(clean)).toBe(true);
    const text = formatVerify(clean, stores, 50);
    expect(text).toMatch(/OK: redis and clickhouse agree with the log$/);
    expect(text).toContain('fraud counters: 4 record(s) read, the latest counters of 2 customer(s); 0 skipped');
    expect(text).toContain('compared 2 customer(s) field by field with redis (keys sf:fraud:*)');
    expect(text).toContain('fraud alerts: 3 record(s) read, 2 distinct alert(s) of 1 customer(s); 1 skipped');
    expect(text).toContain('compared with clickhouse (streamfold.fraud_alerts FINAL: 2 row(s)) and redis (keys sf:alerts:*, newest 20 per customer)');
    expect(text).not.toContain('mismatches');
    expect(verifyJson(clean, 50)).toMatchObject({
      agree: true,
      fraudCounters: { records: 4, skipped: 0, customers: 2, checked: 2, mismatchCount: 0, mismatches: [] },
      fraudAlerts: { records: 3, skipped: 1, alerts: 2, customers: 1, clickhouseRows: 2, recentCap: 20, mismatchCount: 0, mismatches: [] },
    });
  });

  test('fraud mismatches fail the check, each list capped on its own, and the verdict names every failing check', () => {
    const counter = (i: number) => ({ customerId: `c-${i}`, store: 'redis' as const, field: 'rule:declines', expected: '2', actual: '3' });
    const alert = (i: number) => ({ customerId: 'c-9', store: 'clickhouse' as const, field: `alert a-${i}`, expected: 'present', actual: null });
    const failed: VerifyResult = {
      ...clean,
      fraud: { counters: { ...fraud.counters, mismatches: [counter(0), counter(1), counter(2)] }, alerts: { ...fraud.alerts, mismatches: [alert(0)] } },
    };
    expect(agrees(failed)).toBe(false);
    const text = formatVerify(failed, stores, 2);
    expect(text).toContain('fraud counters mismatches (first 2 of 3)');
    expect(text).toMatch(/c-1\s+redis\s+rule:declines\s+expected 2\s+actual 3/);
    expect(text).not.toContain('c-2');
    expect(text).toMatch(/fraud alerts mismatches\n\s+c-9\s+clickhouse\s+alert a-0\s+expected present\s+actual \(absent\)/);
    expect(text).toMatch(/FAILED: 3 mismatch\(es\) in the fraud counters of 3 customer\(s\); 1 mismatch\(es\) in the fraud alerts of 1 customer\(s\)$/);
    expect(verifyJson(failed, 2)).toMatchObject({
      agree: false,
      mismatchCount: 0,
      fraudCounters: { mismatchCount: 3, mismatches: [counter(0), counter(1)] },
      fraudAlerts: { mismatchCount: 1, mismatches: [alert(0)] },
    });
  });

  test('mismatches are listed up to the cap, with their count', () => {
    const mismatches = Array.from({ length: 3 }, (_, i) => ({
      orderId: `o-${i}`,
      store: 'redis' as const,
      field: 'status',
      expected: state.status,
      actual: null,
    }));
    const failed = { ...clean, mismatches };
    const text = formatVerify(failed, stores, 2);
    expect(text).toContain('mismatches (first 2 of 3)');
    expect(text).toMatch(/o-0\s+redis\s+status\s+expected CONFIRMED\s+actual \(absent\)/);
    expect(text).not.toContain('o-2');
    expect(text).toMatch(/FAILED: 3 mismatch\(es\) over 3 order\(s\)$/);
    const counted = {
      ...clean,
      orders: 10,
      mismatches: [{ orderId: null, store: 'redis' as const, field: 'orders with status CONFIRMED', expected: '1', actual: '0' }],
    };
    expect(formatVerify(counted, stores, 50)).toMatch(
      /FAILED: 1 mismatch\(es\) in the status counts: no sampled order differs; --orders all names the orders$/,
    );
    expect(verifyJson(failed, 2)).toMatchObject({ agree: false, mismatchCount: 3, mismatches: [{ orderId: 'o-0' }, { orderId: 'o-1' }] });
  });
});
