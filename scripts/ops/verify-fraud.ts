/**
 * Verification of the fraud projections: the fraud detector's output
 * topics (fraud-log.ts) against the Redis sink's counters hashes and recent
 * alerts and the ClickHouse sink's fraud_alerts, every customer and alert
 * (no sampling: there are far fewer of them than orders). Customers and
 * alerts a store holds that the log does not are mismatches too.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type Redis from 'ioredis';
import type { FraudAlert } from '../../schemas/generated/types';
import { DEFAULT_RECENT_ALERTS, keptAlerts } from '../../sinks/redis/alert-entry';
import type { RedisKeys } from '../../sinks/redis/keys';
import { applyToView } from './compacted-view';
import { clickHouseAlertMismatches, countersMismatches, FraudMismatch, recentAlertsMismatches } from './fraud-check';
import { readFraudLog, TopicTally } from './fraud-log';
import type { LogFoldOptions } from './log-fold';
import { clickHouseAlertRows, redisAlertCustomerIds, redisCountersCustomerIds, redisHashes, redisRecentAlerts } from './sink-reads';

export interface FraudVerifyOptions extends LogFoldOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly clickhouse: ClickHouseClient;
  readonly database: string;
}

export interface CountersVerification {
  readonly read: TopicTally;
  /** Customers with counters in the log. */
  readonly customers: number;
  /** Customers compared field by field: those of the log and those only Redis holds. */
  readonly checked: number;
  readonly mismatches: readonly FraudMismatch[];
}

export interface AlertsVerification {
  readonly read: TopicTally;
  /** Distinct alerts (by alertId) in the log, and the customers they are about. */
  readonly alerts: number;
  readonly customers: number;
  /** Alert records not keyed by their customerId: in ClickHouse only, as the Redis sink refuses them. */
  readonly notKeyedByCustomer: number;
  /** Rows of fraud_alerts FINAL. */
  readonly clickhouseRows: number;
  /** Alerts the Redis sink keeps per customer (its cap: the service runs with the writer's default). */
  readonly recentCap: number;
  readonly mismatches: readonly FraudMismatch[];
}

export interface FraudVerifyResult {
  readonly counters: CountersVerification;
  readonly alerts: AlertsVerification;
}

function byCustomer(alerts: readonly FraudAlert[]): Map<string, FraudAlert[]> {
  const grouped = new Map<string, FraudAlert[]>();
  for (const alert of alerts) {
    const list = grouped.get(alert.customerId) ?? [];
    list.push(alert);
    grouped.set(alert.customerId, list);
  }
  return grouped;
}

export async function verifyFraud(options: FraudVerifyOptions): Promise<FraudVerifyResult> {
  const log = await readFraudLog(options);
  const { redis, keys, clickhouse, database } = options;

  const customers = [...new Set([...log.counters.keys(), ...(await redisCountersCustomerIds(redis, keys))])];
  const hashes = await redisHashes(redis, keys.fraudCounters, customers);
  const countersFound = [...hashes].flatMap(([id, hash]) => countersMismatches(id, log.counters.get(id), hash));

  // the replacing table keeps one row per alertId: the last delivered, as a compacted view would
  const alertsById = new Map<string, FraudAlert>();
  for (const alert of log.alerts) applyToView(alertsById, alert.alertId, alert);
  const rows = await clickHouseAlertRows(clickhouse, database);
  const alertsFound = clickHouseAlertMismatches(alertsById, rows);

  const logAlerts = byCustomer(log.keyedAlerts);
  const alertCustomers = [...new Set([...logAlerts.keys(), ...(await redisAlertCustomerIds(redis, keys))])];
  for (const [customerId, recent] of await redisRecentAlerts(redis, keys, alertCustomers)) {
    alertsFound.push(...recentAlertsMismatches(customerId, keptAlerts(logAlerts.get(customerId) ?? [], DEFAULT_RECENT_ALERTS), recent));
  }

  return {
    counters: { read: log.countersRead, customers: log.counters.size, checked: customers.length, mismatches: countersFound },
    alerts: {
      read: log.alertsRead,
      alerts: alertsById.size,
      customers: new Set(log.alerts.map((alert) => alert.customerId)).size,
      notKeyedByCustomer: log.alerts.length - log.keyedAlerts.length,
      clickhouseRows: rows.length,
      recentCap: DEFAULT_RECENT_ALERTS,
      mismatches: alertsFound,
    },
  };
}
