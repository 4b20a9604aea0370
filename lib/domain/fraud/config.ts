/**
 * Thresholds and windows of the fraud rules, typed, with documented
 * defaults. The service builds it from environment variables; this module
 * only validates (a bad value stops the service with the field named).
 */
import { WindowSpec, hoppingWindows } from '../windows';
import { FRAUD_RULE_LIST, FRAUD_RULES, FraudRule } from './rule-names';
import { RULE_MEASURES } from './rule-measures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface RuleSettings {
  /** The window fires when its value reaches this (value ≥ threshold): a count, or cents for order-amount. */
  readonly threshold: number;
  readonly windowSizeMs: number;
  /** Distance between window starts: smaller than the size for hopping windows, equal to it for tumbling ones. */
  readonly advanceMs: number;
}

export interface FraudRulesConfig {
  readonly rules: { readonly [R in FraudRule]: RuleSettings };
  /** How long after a window's end late activities still count in it (event time). */
  readonly graceMs: number;
  /**
   * Most eventIds a window keeps. The list is the window's dedupe set, so it
   * must hold every event counted: once full, the window is saturated and
   * counts nothing more (see window-aggregate.ts).
   */
  readonly maxEventIdsPerWindow: number;
  /** Most eventIds an alert names (the latest ones, oldest first). */
  readonly maxTriggeringEventIds: number;
}

/**
 * Defaults. Hopping windows approximate "in the last N": every span of
 * (size − advance) lies wholly inside some window, so a burst is caught
 * whatever its alignment, at the cost of size/advance windows per customer
 * and rule. Tumbling 24 h windows would split a spree at midnight UTC.
 * - order-count: 5 orders in 1 h, advancing 5 min (12 windows per event);
 * - order-amount: 500,000 cents (5,000.00) in 24 h, advancing 1 h (24 windows);
 * - distinct-cards: 3 cards in 24 h, advancing 1 h (24 windows);
 * - declined-payments: 3 declines in 10 min, advancing 1 min (10 windows);
 * - grace 5 min; 1000 eventIds per window (a customer placing 1000 orders in
 *   a day has long been alerted on); alerts name the last 20 events.
 */
export const DEFAULT_FRAUD_RULES_CONFIG: FraudRulesConfig = {
  rules: {
    [FRAUD_RULES.orderCount]: { threshold: 5, windowSizeMs: HOUR, advanceMs: 5 * MINUTE },
    [FRAUD_RULES.orderAmount]: { threshold: 500_000, windowSizeMs: 24 * HOUR, advanceMs: HOUR },
    [FRAUD_RULES.distinctCards]: { threshold: 3, windowSizeMs: 24 * HOUR, advanceMs: HOUR },
    [FRAUD_RULES.declinedPayments]: { threshold: 3, windowSizeMs: 10 * MINUTE, advanceMs: MINUTE },
  },
  graceMs: 5 * MINUTE,
  maxEventIdsPerWindow: 1000,
  maxTriggeringEventIds: 20,
};

/** A bad config value; `field` is its path in FraudRulesConfig, e.g. rules.order-count.threshold. */
export class FraudRulesConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`fraud rules config: ${field} ${problem}`);
    this.name = 'FraudRulesConfigError';
  }
}

function requirePositiveInteger(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new FraudRulesConfigError(field, `must be a positive integer, got ${value}`);
}

function checkRule(rule: FraudRule, settings: RuleSettings | undefined, config: FraudRulesConfig): void {
  const at = `rules.${rule}`;
  if (settings === undefined) throw new FraudRulesConfigError(at, 'is missing');
  requirePositiveInteger(`${at}.threshold`, settings.threshold);
  requirePositiveInteger(`${at}.windowSizeMs`, settings.windowSizeMs);
  requirePositiveInteger(`${at}.advanceMs`, settings.advanceMs);
  if (settings.advanceMs > settings.windowSizeMs) {
    throw new FraudRulesConfigError(`${at}.advanceMs`, `must not exceed windowSizeMs (${settings.windowSizeMs}), got ${settings.advanceMs}`);
  }
  // A count reaches its threshold only if the window can hold that many
  // events: a saturated window counts nothing more, so it would never fire.
  if (RULE_MEASURES[rule].measure !== 'amount' && settings.threshold > config.maxEventIdsPerWindow) {
    throw new FraudRulesConfigError(
      `${at}.threshold`,
      `must not exceed maxEventIdsPerWindow (${config.maxEventIdsPerWindow}), or it can never be reached; got ${settings.threshold}`,
    );
  }
}

/** Returns the config unchanged, or throws a FraudRulesConfigError naming the first bad field. */
export function validateFraudRulesConfig(config: FraudRulesConfig): FraudRulesConfig {
  if (!Number.isSafeInteger(config.graceMs) || config.graceMs < 0) {
    throw new FraudRulesConfigError('graceMs', `must be a non-negative integer of ms, got ${config.graceMs}`);
  }
  requirePositiveInteger('maxEventIdsPerWindow', config.maxEventIdsPerWindow);
  requirePositiveInteger('maxTriggeringEventIds', config.maxTriggeringEventIds);
  for (const rule of FRAUD_RULE_LIST) checkRule(rule, config.rules[rule], config);
  const unknown = Object.keys(config.rules).filter((name) => !(FRAUD_RULE_LIST as readonly string[]).includes(name));
  if (unknown.length > 0) throw new FraudRulesConfigError(`rules.${unknown[0]}`, `is not a rule (rules: ${FRAUD_RULE_LIST.join(', ')})`);
  return config;
}

export interface FraudRulesOverrides {
  readonly rules?: { readonly [R in FraudRule]?: Partial<RuleSettings> };
  readonly graceMs?: number;
  readonly maxEventIdsPerWindow?: number;
  readonly maxTriggeringEventIds?: number;
}

/** The defaults with what the environment set, validated. */
export function fraudRulesConfig(overrides: FraudRulesOverrides = {}, defaults = DEFAULT_FRAUD_RULES_CONFIG): FraudRulesConfig {
  const rules = {} as { [R in FraudRule]: RuleSettings };
  for (const rule of FRAUD_RULE_LIST) rules[rule] = { ...defaults.rules[rule], ...overrides.rules?.[rule] };
  return validateFraudRulesConfig({
    rules,
    graceMs: overrides.graceMs ?? defaults.graceMs,
    maxEventIdsPerWindow: overrides.maxEventIdsPerWindow ?? defaults.maxEventIdsPerWindow,
    maxTriggeringEventIds: overrides.maxTriggeringEventIds ?? defaults.maxTriggeringEventIds,
  });
}

/** The rule's windows, in the runtime's terms (for windowsFor, isClosed and the window store's retention). */
export function windowSpecOf(config: FraudRulesConfig, rule: FraudRule): WindowSpec {
  const { windowSizeMs, advanceMs } = config.rules[rule];
  return hoppingWindows(windowSizeMs, advanceMs, config.graceMs);
}
