/**
 * The FraudAlert of a window that crossed its threshold. Every field comes
 * from the window and the triggering activity, none from a clock, so a
 * replay raises an identical alert.
 */
import type { CustomerActivity, FraudAlert } from '../../../schemas/generated/types';
import type { TimeWindow } from '../windows';
import { alertId } from './alert-id';
import type { FraudRulesConfig } from './config';
import { FraudRule, isFraudRule } from './rule-names';
import { RULE_MEASURES, THRESHOLD_COMPARISON } from './rule-measures';
import type { WindowAggregate } from './window-aggregate';

export function buildFraudAlert(
  rule: FraudRule,
  window: TimeWindow,
  aggregate: WindowAggregate,
  trigger: CustomerActivity,
  config: FraudRulesConfig,
): FraudAlert {
  return {
    alertId: alertId(trigger.customerId, rule, window.start),
    customerId: trigger.customerId,
    rule,
    windowStart: new Date(window.start),
    windowEnd: new Date(window.end),
    observed: aggregate.value,
    threshold: config.rules[rule].threshold,
    // The latest events, the trigger last; an analyst finds the rest in the log by customer and window.
    triggeringEventIds: aggregate.eventIds.slice(-config.maxTriggeringEventIds),
    detectedAt: new Date(trigger.occurredAt.getTime()),
  };
}

/** One line for logs, naming the comparison that fired. */
export function describeAlert(alert: FraudAlert): string {
  // alert.rule is a string in the schema: an alert of a rule this build does not know still describes.
  const unit = isFraudRule(alert.rule) ? ` ${RULE_MEASURES[alert.rule].unit}` : '';
  return (
    `fraud rule ${alert.rule} fired for customer ${alert.customerId}: ` +
    `observed ${alert.observed} ${THRESHOLD_COMPARISON} threshold ${alert.threshold}${unit} ` +
    `in window [${alert.windowStart.toISOString()}, ${alert.windowEnd.toISOString()}), ` +
    `alert ${alert.alertId}, ${alert.triggeringEventIds.length} triggering events`
  );
}
