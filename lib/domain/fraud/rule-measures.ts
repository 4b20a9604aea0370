/**
 * What each rule counts and how, declared once: which activity kinds it
 * reads, how an activity moves its window's value, and when the value fires.
 */
import type { ActivityKind, CustomerActivity } from '../../../schemas/generated/types';
import { FRAUD_RULES, FraudRule } from './rule-names';

/**
 * `count`: +1 per activity. `amount`: + amountCents (cents of whatever
 * currency: the pipeline has no exchange rates, and every accepted currency
 * has two decimals, so the sum is a rough cross-currency measure).
 * `distinct-cards`: the number of distinct cardFingerprints.
 */
export type Measure = 'count' | 'amount' | 'distinct-cards';

export interface RuleMeasure {
  readonly kinds: readonly ActivityKind[];
  readonly measure: Measure;
  /** Unit of value and threshold, for messages. */
  readonly unit: string;
}

export const RULE_MEASURES: { readonly [R in FraudRule]: RuleMeasure } = {
  [FRAUD_RULES.orderCount]: { kinds: ['ORDER_PLACED'], measure: 'count', unit: 'orders' },
  [FRAUD_RULES.orderAmount]: { kinds: ['ORDER_PLACED'], measure: 'amount', unit: 'cents' },
  [FRAUD_RULES.distinctCards]: { kinds: ['PAYMENT_AUTHORIZED', 'PAYMENT_DECLINED'], measure: 'distinct-cards', unit: 'cards' },
  [FRAUD_RULES.declinedPayments]: { kinds: ['PAYMENT_DECLINED'], measure: 'count', unit: 'declines' },
};

/** Whether the rule counts this activity at all. A payment without a fingerprint has no card to count. */
export function counts(rule: FraudRule, activity: CustomerActivity): boolean {
  const { kinds, measure } = RULE_MEASURES[rule];
  if (!kinds.includes(activity.kind)) return false;
  return measure !== 'distinct-cards' || activity.cardFingerprint !== null;
}

/**
 * A window fires when its value REACHES the threshold (value ≥ threshold),
 * as FraudAlert.avsc says: "5 orders per hour" alerts on the 5th order.
 * THRESHOLD_COMPARISON is the operator alert messages show.
 */
export const THRESHOLD_COMPARISON = '≥';

export function reachesThreshold(value: number, threshold: number): boolean {
  return value >= threshold;
}
