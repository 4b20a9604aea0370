/**
 * The fraud rules' names, declared once: what FraudAlert.rule and
 * FraudWindowCounter.rule carry, what config and stores are keyed by.
 *
 * The names say what is measured, not over how long: window sizes come from
 * config, so a name such as "orders-per-1h" would lie once someone sets the
 * window to 2 h. Alerts carry the window bounds.
 */
export const FRAUD_RULES = {
  /** ORDER_PLACED activities counted per window (default: last hour, hopping). */
  orderCount: 'order-count',
  /** Sum of ORDER_PLACED amountCents per window (default: last 24 hours, hopping). */
  orderAmount: 'order-amount',
  /** Distinct card fingerprints over authorized and declined payments per window (default: 24 hours). */
  distinctCards: 'distinct-cards',
  /** PAYMENT_DECLINED activities counted per window (default: 10 minutes). */
  declinedPayments: 'declined-payments',
} as const;

export type FraudRule = (typeof FRAUD_RULES)[keyof typeof FRAUD_RULES];

/** Every rule, in declaration order: the order counters and alerts are listed in. */
export const FRAUD_RULE_LIST: readonly FraudRule[] = Object.values(FRAUD_RULES);

export function isFraudRule(name: string): name is FraudRule {
  return (FRAUD_RULE_LIST as readonly string[]).includes(name);
}
