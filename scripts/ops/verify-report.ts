/**
 * What scripts/verify prints: per check a summary and the mismatches (each
 * list capped), the status counts per store, and the verdict. Pure.
 */
import { columns } from '../../lib/cli/cli';
import type { FraudMismatch } from './fraud-check';
import type { Mismatch } from './projection-check';
import type { StatusCounts, VerifyResult } from './verify-projections';

/** Where each store's part of the projections is, for the report. */
export interface VerifyStores {
  readonly redis: string;
  readonly clickhouse: string;
  readonly redisCounters: string;
  readonly redisAlerts: string;
  readonly clickhouseAlerts: string;
}

export function agrees(result: VerifyResult): boolean {
  return result.mismatches.length === 0 && result.fraud.counters.mismatches.length === 0 && result.fraud.alerts.mismatches.length === 0;
}

function statusTable(counts: StatusCounts): string[] {
  const statuses = [...new Set([...counts.log.keys(), ...counts.redis.keys(), ...counts.clickhouse.keys()])].sort();
  const count = (map: ReadonlyMap<string, number>, status: string) => String(map.get(status) ?? 0);
  const rows = [
    ['status', 'log', 'redis', 'clickhouse'],
    ...statuses.map((s) => [s, count(counts.log, s), count(counts.redis, s), count(counts.clickhouse, s)]),
  ];
  return columns(rows).map((line) => `  ${line}`);
}

const shown = (value: string | null) => (value === null ? '(absent)' : value);

/** A titled table of the first `cap` mismatches, saying how many there are in all; nothing when there are none. */
function mismatchTable(title: string, mismatches: ReadonlyArray<Mismatch | FraudMismatch>, cap: number): string[] {
  if (mismatches.length === 0) return [];
  const subject = (m: Mismatch | FraudMismatch) => ('customerId' in m ? m.customerId : (m.orderId ?? '(all orders)'));
  const rows = mismatches.slice(0, cap).map((m) => [subject(m), m.store, m.field, `expected ${shown(m.expected)}`, `actual ${shown(m.actual)}`]);
  return [`${title}${mismatches.length > cap ? ` (first ${cap} of ${mismatches.length})` : ''}`, ...columns(rows).map((line) => `  ${line}`)];
}

function orderFailure({ mismatches, checked, orders }: VerifyResult): string {
  const named = new Set(mismatches.map((m) => m.orderId).filter((id) => id !== null)).size;
  if (named > 0) return `${mismatches.length} mismatch(es) over ${named} order(s)`;
  const hint = checked < orders ? ': no sampled order differs; --orders all names the orders' : '';
  return `${mismatches.length} mismatch(es) in the status counts${hint}`;
}

function fraudFailure(what: string, mismatches: readonly FraudMismatch[]): string {
  return `${mismatches.length} mismatch(es) in the ${what} of ${new Set(mismatches.map((m) => m.customerId)).size} customer(s)`;
}

function verdict(result: VerifyResult): string {
  if (agrees(result)) return 'OK: redis and clickhouse agree with the log';
  const { counters, alerts } = result.fraud;
  const parts = [
    ...(result.mismatches.length > 0 ? [orderFailure(result)] : []),
    ...(counters.mismatches.length > 0 ? [fraudFailure('fraud counters', counters.mismatches)] : []),
    ...(alerts.mismatches.length > 0 ? [fraudFailure('fraud alerts', alerts.mismatches)] : []),
  ];
  return `FAILED: ${parts.join('; ')}`;
}

export function formatVerify(result: VerifyResult, stores: VerifyStores, cap: number): string {
  const { counters, alerts } = result.fraud;
  return [
    `log: ${result.records} event record(s) folded by the order aggregator into ${result.orders} order(s); ${result.deadLettered} dead-lettered`,
    `compared ${result.checked} order(s) field by field with redis (${stores.redis}) and clickhouse (${stores.clickhouse})`,
    'orders by status',
    ...statusTable(result.statusCounts),
    ...mismatchTable('mismatches', result.mismatches, cap),
    `fraud counters: ${counters.read.records} record(s) read, the latest counters of ${counters.customers} customer(s); ${counters.read.skipped} skipped`,
    `compared ${counters.checked} customer(s) field by field with redis (${stores.redisCounters})`,
    ...mismatchTable('fraud counters mismatches', counters.mismatches, cap),
    `fraud alerts: ${alerts.read.records} record(s) read, ${alerts.alerts} distinct alert(s) of ${alerts.customers} customer(s); ${alerts.read.skipped} skipped` +
      (alerts.notKeyedByCustomer > 0
        ? `; ${alerts.notKeyedByCustomer} not keyed by their customerId, compared with clickhouse only (the redis sink refuses them)`
        : ''),
    `compared with clickhouse (${stores.clickhouseAlerts}: ${alerts.clickhouseRows} row(s)) and redis (${stores.redisAlerts}, newest ${alerts.recentCap} per customer)`,
    ...mismatchTable('fraud alerts mismatches', alerts.mismatches, cap),
    verdict(result),
  ].join('\n');
}

export function verifyJson(result: VerifyResult, cap: number): unknown {
  const counts = (map: ReadonlyMap<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
  const { counters, alerts } = result.fraud;
  return {
    agree: agrees(result),
    records: result.records,
    deadLettered: result.deadLettered,
    orders: result.orders,
    checked: result.checked,
    statusCounts: { log: counts(result.statusCounts.log), redis: counts(result.statusCounts.redis), clickhouse: counts(result.statusCounts.clickhouse) },
    mismatchCount: result.mismatches.length,
    mismatches: result.mismatches.slice(0, cap),
    fraudCounters: {
      ...counters.read,
      customers: counters.customers,
      checked: counters.checked,
      mismatchCount: counters.mismatches.length,
      mismatches: counters.mismatches.slice(0, cap),
    },
    fraudAlerts: {
      ...alerts.read,
      alerts: alerts.alerts,
      customers: alerts.customers,
      notKeyedByCustomer: alerts.notKeyedByCustomer,
      clickhouseRows: alerts.clickhouseRows,
      recentCap: alerts.recentCap,
      mismatchCount: alerts.mismatches.length,
      mismatches: alerts.mismatches.slice(0, cap),
    },
  };
}
