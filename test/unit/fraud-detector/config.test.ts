import {
  DEFAULT_FRAUD_RULES_CONFIG,
  FRAUD_RULES,
  FraudRulesConfig,
  FraudRulesConfigError,
  FraudRulesOverrides,
  fraudRulesConfig,
  validateFraudRulesConfig,
  windowSpecOf,
} from '../../../lib/domain/fraud/rules';
import { hoppingWindows } from '../../../lib/domain/windows';
import { HOUR, MINUTE } from './activities';

test('the defaults are the documented ones, and valid', () => {
  expect(validateFraudRulesConfig(DEFAULT_FRAUD_RULES_CONFIG)).toBe(DEFAULT_FRAUD_RULES_CONFIG);
  expect(DEFAULT_FRAUD_RULES_CONFIG).toEqual({
    rules: {
      'order-count': { threshold: 5, windowSizeMs: HOUR, advanceMs: 5 * MINUTE },
      'order-amount': { threshold: 500_000, windowSizeMs: 24 * HOUR, advanceMs: HOUR },
      'distinct-cards': { threshold: 3, windowSizeMs: 24 * HOUR, advanceMs: HOUR },
      'declined-payments': { threshold: 3, windowSizeMs: 10 * MINUTE, advanceMs: MINUTE },
    },
    graceMs: 5 * MINUTE,
    maxEventIdsPerWindow: 1000,
    maxTriggeringEventIds: 20,
  });
});

test('overrides replace only what they name', () => {
  const config = fraudRulesConfig({ rules: { [FRAUD_RULES.orderCount]: { threshold: 8 } }, graceMs: 0 });
  expect(config.rules['order-count']).toEqual({ threshold: 8, windowSizeMs: HOUR, advanceMs: 5 * MINUTE });
  expect(config.rules['order-amount']).toEqual(DEFAULT_FRAUD_RULES_CONFIG.rules['order-amount']);
  expect(config.graceMs).toBe(0);
  expect(config.maxEventIdsPerWindow).toBe(1000);
});

test('tumbling windows are hopping windows whose advance is the size', () => {
  const config = fraudRulesConfig({ rules: { 'order-amount': { advanceMs: 24 * HOUR } } });
  expect(windowSpecOf(config, 'order-amount')).toEqual(hoppingWindows(24 * HOUR, 24 * HOUR, 5 * MINUTE));
  expect(windowSpecOf(DEFAULT_FRAUD_RULES_CONFIG, 'order-count')).toEqual({ sizeMs: HOUR, advanceMs: 5 * MINUTE, graceMs: 5 * MINUTE });
});

test.each<[string, FraudRulesOverrides, string]>([
  ['rules.order-count.threshold', { rules: { 'order-count': { threshold: 0 } } }, 'must be a positive integer, got 0'],
  ['rules.order-amount.threshold', { rules: { 'order-amount': { threshold: Number.NaN } } }, 'must be a positive integer, got NaN'],
  ['rules.distinct-cards.threshold', { rules: { 'distinct-cards': { threshold: 2.5 } } }, 'must be a positive integer, got 2.5'],
  ['rules.declined-payments.windowSizeMs', { rules: { 'declined-payments': { windowSizeMs: -1 } } }, 'must be a positive integer, got -1'],
  ['rules.order-count.advanceMs', { rules: { 'order-count': { advanceMs: 0 } } }, 'must be a positive integer, got 0'],
  ['rules.order-count.advanceMs', { rules: { 'order-count': { advanceMs: 2 * HOUR } } }, 'must not exceed windowSizeMs (3600000), got 7200000'],
  ['graceMs', { graceMs: -5 }, 'must be a non-negative integer of ms, got -5'],
  ['maxEventIdsPerWindow', { maxEventIdsPerWindow: 0 }, 'must be a positive integer, got 0'],
  ['maxTriggeringEventIds', { maxTriggeringEventIds: 1.5 }, 'must be a positive integer, got 1.5'],
  [
    'rules.declined-payments.threshold',
    { maxEventIdsPerWindow: 10, rules: { 'declined-payments': { threshold: 11 } } },
    'must not exceed maxEventIdsPerWindow (10), or it can never be reached; got 11',
  ],
])('%s: refused with the field named', (field, overrides, problem) => {
  let error: unknown;
  try {
    fraudRulesConfig(overrides);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(FraudRulesConfigError);
  expect((error as FraudRulesConfigError).field).toBe(field);
  expect((error as Error).message).toBe(`fraud rules config: ${field} ${problem}`);
});

test('an amount threshold is in cents and may exceed the eventId cap', () => {
  expect(fraudRulesConfig({ maxEventIdsPerWindow: 10 }).rules['order-amount'].threshold).toBe(500_000);
});

test('a missing or unknown rule is refused', () => {
  const { 'distinct-cards': _dropped, ...rest } = DEFAULT_FRAUD_RULES_CONFIG.rules;
  const missing = { ...DEFAULT_FRAUD_RULES_CONFIG, rules: rest } as unknown as FraudRulesConfig;
  expect(() => validateFraudRulesConfig(missing)).toThrow('fraud rules config: rules.distinct-cards is missing');
  const rules = { ...DEFAULT_FRAUD_RULES_CONFIG.rules, velocity: { threshold: 1, windowSizeMs: 1, advanceMs: 1 } };
  expect(() => validateFraudRulesConfig({ ...DEFAULT_FRAUD_RULES_CONFIG, rules })).toThrow(
    'fraud rules config: rules.velocity is not a rule (rules: order-count, order-amount, distinct-cards, declined-payments)',
  );
});
