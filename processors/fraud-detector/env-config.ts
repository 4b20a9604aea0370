/**
 * FraudRulesConfig from the FRAUD_* variables lib/config read: unknown rules
 * and bad values stop the service with the variable named.
 */
import type { FraudEnv } from '../../lib/config';
import { ConfigError } from '../../lib/config';
import { fraudRulesConfig, FraudRulesConfig, FraudRulesConfigError, FraudRulesOverrides, isFraudRule, FRAUD_RULE_LIST } from '../../lib/domain/fraud/rules';

const FIELD_SUFFIX: Record<string, string> = { threshold: 'THRESHOLD', windowSizeMs: 'WINDOW_MS', advanceMs: 'ADVANCE_MS' };

function variableOf(field: string): string {
  // rules.order-count.threshold → FRAUD_ORDER_COUNT_THRESHOLD; graceMs → FRAUD_GRACE_MS
  const [, rule, setting] = /^rules\.([^.]+)\.(\w+)$/.exec(field) ?? [];
  if (rule && setting) return `FRAUD_${rule.toUpperCase().replace(/-/g, '_')}_${FIELD_SUFFIX[setting] ?? setting}`;
  return field === 'graceMs' ? 'FRAUD_GRACE_MS' : field;
}

export function fraudConfigFromEnv(env: FraudEnv): FraudRulesConfig {
  const unknown = Object.keys(env.rules).filter((rule) => !isFraudRule(rule));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((rule) => `FRAUD_${rule.toUpperCase().replace(/-/g, '_')}_* names no fraud rule (rules: ${FRAUD_RULE_LIST.join(', ')})`));
  }
  try {
    return fraudRulesConfig({ rules: env.rules as FraudRulesOverrides['rules'], graceMs: env.graceMs });
  } catch (error) {
    if (error instanceof FraudRulesConfigError) throw new ConfigError([`${variableOf(error.field)}: ${error.message}`]);
    throw error;
  }
}
