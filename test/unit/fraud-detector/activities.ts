/**
 * Builders of CustomerActivity values for fraud rule tests, and a tiny
 * in-memory driver that plays the processor's part: per rule, the
 * customer's window aggregates by window start, and the alerts raised.
 */
import type { ActivityKind, CustomerActivity, FraudAlert } from '../../../schemas/generated/types';
import {
  DEFAULT_FRAUD_RULES_CONFIG,
  FRAUD_RULE_LIST,
  FraudRule,
  FraudRulesConfig,
  RuleApplication,
  RuleWindow,
  WindowAggregate,
  applyActivity,
  rulesFor,
} from '../../../lib/domain/fraud/rules';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** Aligned to the hour (and so to every default window advance). */
export const T0 = Date.parse('2024-05-01T12:00:00.000Z');
export const CUSTOMER = 'cust-1';

export interface ActivityOptions {
  readonly eventId?: string;
  readonly amountCents?: number;
  readonly card?: string | null;
  readonly customerId?: string;
}

let counter = 0;

export function activity(kind: ActivityKind, at: number, options: ActivityOptions = {}): CustomerActivity {
  counter += 1;
  const payment = kind === 'PAYMENT_AUTHORIZED' || kind === 'PAYMENT_DECLINED';
  return {
    eventId: options.eventId ?? `evt-${counter}`,
    orderId: `order-${counter}`,
    customerId: options.customerId ?? CUSTOMER,
    kind,
    amountCents: options.amountCents ?? 1000,
    currency: 'EUR',
    cardFingerprint: options.card !== undefined ? options.card : payment ? 'fp-1' : null,
    paymentMethodId: payment ? 'pm-1' : null,
    cardCountry: payment ? 'DE' : null,
    occurredAt: new Date(at),
    customerKnown: true,
    customerCountry: 'DE',
    customerSegment: 'standard',
    sourceTopic: 'orders.events',
    sourcePartition: 0,
    sourceOffset: counter,
  };
}

/** One customer's state as the processor would hold it in its window stores. */
export class Driver {
  readonly windows = new Map<FraudRule, Map<number, WindowAggregate>>(FRAUD_RULE_LIST.map((rule) => [rule, new Map()]));
  readonly alerts: FraudAlert[] = [];
  readonly applications: RuleApplication[] = [];
  streamTime = Number.NEGATIVE_INFINITY;

  constructor(readonly config: FraudRulesConfig = DEFAULT_FRAUD_RULES_CONFIG) {}

  /** Applies the activity to every rule that counts it; returns the alerts it raised. */
  push(input: CustomerActivity): FraudAlert[] {
    this.streamTime = Math.max(this.streamTime, input.occurredAt.getTime());
    const raised: FraudAlert[] = [];
    for (const rule of rulesFor(input)) {
      const result = applyActivity(rule, this.of(rule), input, this.config, this.streamTime);
      this.applications.push(result);
      for (const changed of result.changed) this.of(rule).set(changed.window.start, changed.aggregate);
      if (result.alert !== null) raised.push(result.alert);
    }
    this.alerts.push(...raised);
    return raised;
  }

  pushAll(inputs: readonly CustomerActivity[]): FraudAlert[] {
    return inputs.flatMap((input) => this.push(input));
  }

  of(rule: FraudRule): Map<number, WindowAggregate> {
    const map = this.windows.get(rule);
    if (map === undefined) throw new Error(`no rule ${rule}`);
    return map;
  }

  ruleWindows(): RuleWindow[] {
    return [...this.windows].flatMap(([rule, byStart]) =>
      [...byStart].map(([start, aggregate]) => ({
        rule,
        window: { start, end: start + this.config.rules[rule].windowSizeMs },
        aggregate,
      })),
    );
  }
}
