import { ALERT_ID_NAMESPACE, DEFAULT_FRAUD_RULES_CONFIG, alertId, buildFraudAlert, describeAlert, uuidV5 } from '../../../lib/domain/fraud/rules';
import { TOPIC } from '../../../lib/topics';
import { getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import { deepFreeze } from '../../fixtures/order-events';
import { CUSTOMER, MINUTE, T0, activity } from './activities';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('alert ids', () => {
  test('uuidV5 follows RFC 4122 (the DNS namespace examples)', () => {
    const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    expect(uuidV5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/namespace not-a-uuid is not a UUID/);
  });

  test('deterministic in customer, rule and window start, and UUID-shaped', () => {
    const id = alertId(CUSTOMER, 'order-count', T0);
    expect(id).toMatch(UUID_V5);
    expect(alertId(CUSTOMER, 'order-count', T0)).toBe(id);
    expect(id).toBe(uuidV5(JSON.stringify([CUSTOMER, 'order-count', T0]), ALERT_ID_NAMESPACE));
  });

  test('differs when any part differs, even where a naive concatenation would collide', () => {
    const ids = [
      alertId(CUSTOMER, 'order-count', T0),
      alertId('cust-2', 'order-count', T0),
      alertId(CUSTOMER, 'order-amount', T0),
      alertId(CUSTOMER, 'order-count', T0 + MINUTE),
      alertId('a:b', 'c', 1),
      alertId('a', 'b:c', 1),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('buildFraudAlert', () => {
  const window = { start: T0, end: T0 + 10 * MINUTE };
  const trigger = deepFreeze(activity('PAYMENT_DECLINED', T0 + 3 * MINUTE));
  const aggregate = deepFreeze({ value: 3, eventIds: ['e1', 'e2', trigger.eventId], distinct: [], alerted: true });

  test('every field from the window and the trigger, none from a clock', () => {
    const alert = buildFraudAlert('declined-payments', window, aggregate, trigger, DEFAULT_FRAUD_RULES_CONFIG);
    expect(alert).toEqual({
      alertId: alertId(CUSTOMER, 'declined-payments', T0),
      customerId: CUSTOMER,
      rule: 'declined-payments',
      windowStart: new Date(T0),
      windowEnd: new Date(T0 + 10 * MINUTE),
      observed: 3,
      threshold: 3,
      triggeringEventIds: ['e1', 'e2', trigger.eventId],
      detectedAt: new Date(T0 + 3 * MINUTE),
    });
    expect(alert.detectedAt).not.toBe(trigger.occurredAt);
  });

  test('the alert is a valid FraudAlert record', () => {
    const record = getCatalogRecord(loadSchemaCatalog(), TOPIC.fraudAlerts, 'com.streamfold.derived.FraudAlert');
    const alert = buildFraudAlert('declined-payments', window, aggregate, trigger, DEFAULT_FRAUD_RULES_CONFIG);
    expect(record.type.isValid(alert)).toBe(true);
  });

  test('describeAlert names the rule, the comparison, the threshold and the window', () => {
    const alert = buildFraudAlert('declined-payments', window, aggregate, trigger, DEFAULT_FRAUD_RULES_CONFIG);
    expect(describeAlert(alert)).toBe(
      `fraud rule declined-payments fired for customer cust-1: observed 3 ≥ threshold 3 declines ` +
        `in window [2024-05-01T12:00:00.000Z, 2024-05-01T12:10:00.000Z), alert ${alert.alertId}, 3 triggering events`,
    );
    expect(describeAlert({ ...alert, rule: 'retired-rule' })).toContain('observed 3 ≥ threshold 3 in window');
  });
});
