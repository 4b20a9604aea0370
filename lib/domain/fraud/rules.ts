/**
 * The fraud detector's pure rules over CustomerActivity, per customer and
 * event-time window: which windows an activity counts in, idempotent window
 * aggregates, one alert per customer, rule and window, and the counters
 * snapshot. No I/O, no clock: event time only, so replays are identical.
 *
 * The processor, per activity (keyed by customerId):
 *   for (const rule of rulesFor(activity)) {
 *     const result = applyActivity(rule, <the customer's aggregates of rule by window start>, activity, config, streamTime);
 *     if (result.late) ctx.lateRecord(...);
 *     <write result.changed>; if (result.alert) ctx.forward(fraud.alerts, customerId, alert);
 *   }
 *   then, when something changed, forward buildFraudCounters(...) to fraud.counters.
 */
import type { CustomerActivity } from '../../../schemas/generated/types';
import { FRAUD_RULE_LIST, FraudRule } from './rule-names';
import { counts } from './rule-measures';

export { FRAUD_RULES, FRAUD_RULE_LIST, isFraudRule } from './rule-names';
export type { FraudRule } from './rule-names';
export { RULE_MEASURES, THRESHOLD_COMPARISON, counts, reachesThreshold } from './rule-measures';
export type { Measure, RuleMeasure } from './rule-measures';
export { DEFAULT_FRAUD_RULES_CONFIG, FraudRulesConfigError, fraudRulesConfig, validateFraudRulesConfig, windowSpecOf } from './config';
export type { FraudRulesConfig, FraudRulesOverrides, RuleSettings } from './config';
export { EMPTY_WINDOW_AGGREGATE, addToWindow } from './window-aggregate';
export type { AdditionOutcome, WindowAddition, WindowAggregate } from './window-aggregate';
export type { RuleWindow } from './rule-window';
export { applyActivity } from './apply-activity';
export type { RuleApplication } from './apply-activity';
export { buildFraudAlert, describeAlert } from './alert';
export { ALERT_ID_NAMESPACE, alertId, uuidV5 } from './alert-id';
export { buildFraudCounters } from './counters';
export type { CountersSnapshot } from './counters';

/** The rules that count this activity, in declaration order. */
export function rulesFor(activity: CustomerActivity): FraudRule[] {
  return FRAUD_RULE_LIST.filter((rule) => counts(rule, activity));
}
