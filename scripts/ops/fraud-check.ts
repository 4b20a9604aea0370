/**
 * Compares what the sinks hold about fraud with the fraud detector's output
 * topics (fraud-log.ts): per customer the Redis counters hash, per alert the
 * ClickHouse fraud_alerts row, and per customer the recent alerts Redis
 * keeps. Pure: the stores' contents come in as flat records and rows.
 *
 * The expected form of each store is what its sink writes, built with the
 * sink's own mappings: counters-hash.ts, the fraud_alerts row of rows.ts
 * (less the Kafka position columns), and alert-entry.ts.
 */
import type { FraudAlert, FraudCounters } from '../../schemas/generated/types';
import { RawRow, stringColumn } from '../../sinks/clickhouse/result-values';
import { alertEntry } from '../../sinks/redis/alert-entry';
import { countersHashFields } from '../../sinks/redis/counters-hash';
import { TOPIC } from '../../lib/topics';
import { FieldDifference, FlatRecord, flattenRow, recordDifferences } from './field-diff';
import { expectedRow, POSITION_COLUMNS, ProjectionStore } from './projection-check';

export interface FraudMismatch {
  readonly customerId: string;
  readonly store: ProjectionStore;
  /** A counters hash field, or `alert <alertId>[ <field>]`. */
  readonly field: string;
  /** null: absent */
  readonly expected: string | null;
  readonly actual: string | null;
}

/** The field of a mismatch about a counters hash missing from Redis, or present but not in the log. */
export const WHOLE_COUNTERS = '(counters)';
const WHOLE_ALERT = '(alert)';

/** `hash` is HGETALL's answer for the customer's counters key; an empty one means no key. */
export function countersMismatches(customerId: string, expected: FraudCounters | undefined, hash: FlatRecord): FraudMismatch[] {
  const actual = Object.keys(hash).length === 0 ? undefined : hash;
  return recordDifferences(WHOLE_COUNTERS, expected && countersHashFields(expected), actual).map((d) => ({ customerId, store: 'redis', ...d }));
}

/** An alert's differences, each field named after the alert: alerts of a customer share one report line format. */
function alertMismatches(
  customerId: string,
  store: ProjectionStore,
  alertId: string,
  expected: FlatRecord | undefined,
  actual: FlatRecord | undefined,
): FraudMismatch[] {
  const named = (d: FieldDifference) => (d.field === WHOLE_ALERT ? `alert ${alertId}` : `alert ${alertId} ${d.field}`);
  return recordDifferences(WHOLE_ALERT, expected, actual).map((d) => ({ customerId, store, ...d, field: named(d) }));
}

/** The fraud_alerts row the ClickHouse sink writes for an alert. */
export function expectedFraudAlertRow(alert: FraudAlert): Readonly<Record<string, unknown>> {
  return expectedRow(TOPIC.fraudAlerts, { type: 'FraudAlert', value: alert }, 'fraud_alerts', `alert ${alert.alertId}`);
}

/**
 * `rows` is all of fraud_alerts FINAL (JSONEachRow). Each alert of the log
 * must be exactly one of them, field by field; a row of an alert the log
 * does not have is a mismatch too. `expected` maps alertId to its alert
 * (the last delivery of an id, as the replacing table keeps the last insert).
 */
export function clickHouseAlertMismatches(expected: ReadonlyMap<string, FraudAlert>, rows: readonly RawRow[]): FraudMismatch[] {
  const rowsById = new Map<string, RawRow[]>();
  for (const row of rows) {
    const alertId = stringColumn(row, 'alert_id', 'fraud_alerts');
    rowsById.set(alertId, [...(rowsById.get(alertId) ?? []), row]);
  }
  const mismatches: FraudMismatch[] = [];
  for (const alertId of new Set([...expected.keys(), ...rowsById.keys()])) {
    const alert = expected.get(alertId);
    const found = rowsById.get(alertId) ?? [];
    const want = alert && flattenRow(expectedFraudAlertRow(alert), POSITION_COLUMNS);
    if (alert !== undefined && found.length !== 1) {
      // none: missing; more than one: FINAL did not merge them (another customer_id or partition), so every query counts the alert twice
      if (found.length === 0) mismatches.push(...alertMismatches(alert.customerId, 'clickhouse', alertId, want, undefined));
      else mismatches.push({ customerId: alert.customerId, store: 'clickhouse', field: `alert ${alertId} rows`, expected: '1', actual: String(found.length) });
    }
    for (const row of found) {
      const customerId = alert?.customerId ?? stringColumn(row, 'customer_id', 'fraud_alerts');
      mismatches.push(...alertMismatches(customerId, 'clickhouse', alertId, want, flattenRow(row, POSITION_COLUMNS)));
    }
  }
  return mismatches;
}

/** What Redis holds of a customer's recent alerts: the sorted set (ZRANGE WITHSCORES, oldest first) and the data hash (HGETALL). */
export interface RecentAlerts {
  readonly ids: ReadonlyArray<readonly [alertId: string, score: number]>;
  readonly data: FlatRecord;
}

/** An alert entry as flat fields: its score, and its JSON's fields (the JSON itself when it does not parse). */
function entryFields(score: number | undefined, json: string | undefined): FlatRecord | undefined {
  if (score === undefined && json === undefined) return undefined;
  const fields: Record<string, string> = {};
  if (score !== undefined) fields['score'] = String(score);
  if (json !== undefined) {
    try {
      Object.assign(fields, flattenRow(JSON.parse(json) as Record<string, unknown>));
    } catch {
      fields['json'] = json;
    }
  }
  return fields;
}

/**
 * `expected`: the alerts the sink keeps for the customer (keptAlerts of the
 * customer's alerts in the log). Each must be in the sorted set with its
 * score and in the data hash with its JSON, and nothing else may be. Equal
 * members and scores make equal orders: Redis orders by score, then member.
 */
export function recentAlertsMismatches(customerId: string, expected: readonly FraudAlert[], actual: RecentAlerts): FraudMismatch[] {
  const wanted = new Map(expected.map((alert) => [alert.alertId, alertEntry(alert)]));
  const scores = new Map(actual.ids.map(([alertId, score]) => [alertId, score]));
  const ids = new Set([...wanted.keys(), ...scores.keys(), ...Object.keys(actual.data)]);
  const mismatches: FraudMismatch[] = [];
  for (const alertId of ids) {
    const entry = wanted.get(alertId);
    mismatches.push(
      ...alertMismatches(customerId, 'redis', alertId, entryFields(entry?.score, entry?.json), entryFields(scores.get(alertId), actual.data[alertId])),
    );
  }
  return mismatches;
}
