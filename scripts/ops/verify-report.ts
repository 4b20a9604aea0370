/** What scripts/verify prints: a summary, the status counts per store and the mismatches (capped). Pure. */
import { columns } from '../cli';
import type { Mismatch } from './projection-check';
import type { StatusCounts, VerifyResult } from './verify-projections';

export function agrees(result: VerifyResult): boolean {
  return result.mismatches.length === 0;
}

function statusTable(counts: StatusCounts): string[] {
  const statuses = [...new Set([...counts.log.keys(), ...counts.redis.keys(), ...counts.clickhouse.keys()])].sort();
  const count = (map: ReadonlyMap<string, number>, status: string) => String(map.get(status) ?? 0);
  const rows = [['status', 'log', 'redis', 'clickhouse'], ...statuses.map((s) => [s, count(counts.log, s), count(counts.redis, s), count(counts.clickhouse, s)])];
  return columns(rows).map((line) => `  ${line}`);
}

const shown = (value: string | null) => (value === null ? '(absent)' : value);

function failure({ mismatches, checked, orders }: VerifyResult): string {
  const named = new Set(mismatches.map((m) => m.orderId).filter((id) => id !== null)).size;
  if (named > 0) return `FAILED: ${mismatches.length} mismatch(es) over ${named} order(s)`;
  const hint = checked < orders ? ': no sampled order differs; --orders all names the orders' : '';
  return `FAILED: ${mismatches.length} mismatch(es) in the status counts${hint}`;
}

export function formatVerify(result: VerifyResult, stores: { readonly redis: string; readonly clickhouse: string }, cap: number): string {
  const lines = [
    `log: ${result.records} event record(s) folded by the order aggregator into ${result.orders} order(s); ${result.deadLettered} dead-lettered`,
    `compared ${result.checked} order(s) field by field with redis (${stores.redis}) and clickhouse (${stores.clickhouse})`,
    'orders by status',
    ...statusTable(result.statusCounts),
  ];
  const { mismatches } = result;
  if (mismatches.length > 0) {
    const rows = mismatches.slice(0, cap).map((m: Mismatch) => [m.orderId ?? '(all orders)', m.store, m.field, `expected ${shown(m.expected)}`, `actual ${shown(m.actual)}`]);
    lines.push(`mismatches${mismatches.length > cap ? ` (first ${cap} of ${mismatches.length})` : ''}`, ...columns(rows).map((line) => `  ${line}`));
  }
  lines.push(agrees(result) ? 'OK: redis and clickhouse agree with the log' : failure(result));
  return lines.join('\n');
}

export function verifyJson(result: VerifyResult, cap: number): unknown {
  const counts = (map: ReadonlyMap<string, number>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
  return {
    agree: agrees(result),
    records: result.records,
    deadLettered: result.deadLettered,
    orders: result.orders,
    checked: result.checked,
    statusCounts: { log: counts(result.statusCounts.log), redis: counts(result.statusCounts.redis), clickhouse: counts(result.statusCounts.clickhouse) },
    mismatchCount: result.mismatches.length,
    mismatches: result.mismatches.slice(0, cap),
  };
}
