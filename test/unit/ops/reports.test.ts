import { foldOrder } from '../../../processors/order-aggregator/fold';
import type { OrderState } from '../../../schemas/generated/types';
import { orderAtTime } from '../../../scripts/ops/order-timeline';
import { formatStateAt, noEvents, stateAtJson, stateAtReport } from '../../../scripts/ops/state-at-report';
import { agrees, formatVerify, verifyJson } from '../../../scripts/ops/verify-report';
import type { VerifyResult } from '../../../scripts/ops/verify-projections';
import { T0, confirmed, placed } from '../../fixtures/order-events';

const events = [placed(undefined, { at: T0 }), confirmed(2, { at: T0 + 1000 })].map((event, i) => ({ event, source: { topic: 'orders.events', partition: 1, offset: String(i) } }));
const at = new Date(T0 + 5000);

describe('state-at report', () => {
  const kafka = { source: 'kafka' as const, readFrom: 'orders.events[1] to the end', ...orderAtTime(events, at) };
  const clickhouse = { source: 'clickhouse' as const, readFrom: 'db.events FINAL', ...orderAtTime(events.map((e) => ({ ...e, source: { topic: e.source.topic } })), at) };

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
  const clean: VerifyResult = { records: 2, deadLettered: 0, orders: 1, checked: 1, statusCounts: { log: counts, redis: counts, clickhouse: counts }, mismatches: [] };
  const stores = { redis: 'keys sf:order:*', clickhouse: 'streamfold.order_state' };

  test('clean: OK', () => {
    expect(agrees(clean)).toBe(true);
    expect(formatVerify(clean, stores, 50)).toMatch(/OK: redis and clickhouse agree with the log$/);
  });

  test('mismatches are listed up to the cap, with their count', () => {
    const mismatches = Array.from({ length: 3 }, (_, i) => ({ orderId: `o-${i}`, store: 'redis' as const, field: 'status', expected: state.status, actual: null }));
    const failed = { ...clean, mismatches };
    const text = formatVerify(failed, stores, 2);
    expect(text).toContain('mismatches (first 2 of 3)');
    expect(text).toMatch(/o-0\s+redis\s+status\s+expected CONFIRMED\s+actual \(absent\)/);
    expect(text).not.toContain('o-2');
    expect(text).toMatch(/FAILED: 3 mismatch\(es\) over 3 order\(s\)$/);
    const counted = { ...clean, orders: 10, mismatches: [{ orderId: null, store: 'redis' as const, field: 'orders with status CONFIRMED', expected: '1', actual: '0' }] };
    expect(formatVerify(counted, stores, 50)).toMatch(/FAILED: 1 mismatch\(es\) in the status counts: no sampled order differs; --orders all names the orders$/);
    expect(verifyJson(failed, 2)).toMatchObject({ agree: false, mismatchCount: 3, mismatches: [{ orderId: 'o-0' }, { orderId: 'o-1' }] });
  });
});
