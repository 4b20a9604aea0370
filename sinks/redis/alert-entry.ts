/**
 * FraudAlert → the JSON kept among a customer's recent alerts, and its score
 * (detectedAt, event time, so the kept alerts are the same whatever order
 * they arrive in). Deterministic: the same alert gives the same bytes.
 */
import type { FraudAlert } from '../../schemas/generated/types';

export interface AlertView {
  readonly alertId: string;
  readonly customerId: string;
  readonly rule: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly observed: number;
  readonly threshold: number;
  readonly detectedAt: string;
  readonly triggeringEventIds: readonly string[];
}

/** How many alerts are kept per customer unless the writer is told otherwise. */
export const DEFAULT_RECENT_ALERTS = 20;

export function alertView(alert: FraudAlert): AlertView {
  return {
    alertId: alert.alertId,
    customerId: alert.customerId,
    rule: alert.rule,
    windowStart: alert.windowStart.toISOString(),
    windowEnd: alert.windowEnd.toISOString(),
    observed: alert.observed,
    threshold: alert.threshold,
    detectedAt: alert.detectedAt.toISOString(),
    triggeringEventIds: [...alert.triggeringEventIds],
  };
}

function alertScore(alert: FraudAlert): number {
  return alert.detectedAt.getTime();
}

export function alertEntry(alert: FraudAlert): { readonly score: number; readonly json: string } {
  return { score: alertScore(alert), json: JSON.stringify(alertView(alert)) };
}

/** Redis' order of sorted set members: by score, then by member bytes. */
function zsetOrder(a: FraudAlert, b: FraudAlert): number {
  return alertScore(a) - alertScore(b) || Buffer.compare(Buffer.from(a.alertId), Buffer.from(b.alertId));
}

/**
 * The alerts of one customer that add-fraud-alerts.lua leaves once it was
 * given `alerts` (in any order): one per alertId (a later delivery of an id
 * rewrites its entry), the newest `keep` of them, oldest first, as the
 * sorted set orders them.
 */
export function keptAlerts(alerts: Iterable<FraudAlert>, keep = DEFAULT_RECENT_ALERTS): FraudAlert[] {
  const byId = new Map<string, FraudAlert>();
  for (const alert of alerts) byId.set(alert.alertId, alert);
  const sorted = [...byId.values()].sort(zsetOrder);
  return sorted.slice(Math.max(0, sorted.length - keep)); // not slice(-keep): -0 would keep them all
}
