/**
 * The validator and the fraud detector through the runtime's test driver
 * (no Kafka): generated lifecycles with injected fraud become enriched
 * activities, then alerts for the fraudulent customers, exactly once even
 * when the whole stream is delivered twice.
 */
import { topicNames, TOPIC } from '../../../lib/topics';
import type { CustomerActivity, CustomerProfile, FraudAlert, FraudCounters } from '../../../schemas/generated/types';
import type { RecordCodec } from '../../../lib/streaming/codec';
import { ProcessorTestDriver } from '../../../processors/runtime/test-driver';
import { CUSTOMERS_TABLE, validator } from '../../../processors/validator/processor';
import type { InputEvent } from '../../../lib/domain/validation/rules';
import { fraudDetector } from '../../../processors/fraud-detector/processor';
import { DEFAULT_FRAUD_RULES_CONFIG, FRAUD_RULES } from '../../../lib/domain/fraud/rules';
import { generateLifecycles } from '../../../producers/loadgen/lifecycle';
import { burstCustomers } from '../../fixtures/generated-stream';

const noCodec: RecordCodec = {
  decode: () => Promise.reject(new Error('not used in-process')),
  encode: () => Promise.reject(new Error('not used in-process')),
};
const topics = topicNames();
const records = [
  ...generateLifecycles({ seed: 21, customers: 40, orders: 400, fraud: { orderBurst: { rate: 0.05, cancelRate: 0, orders: 8, windowMs: 10 * 60_000 } } }),
];

function validated(): { activities: CustomerActivity[]; driver: ProcessorTestDriver<InputEvent> } {
  // the generated stream lies in 2024: "now" is after its last event
  const driver = new ProcessorTestDriver(validator(topics, noCodec, 'validator', { now: () => Date.parse('2030-01-01') }));
  for (const r of records) {
    if (r.topic === TOPIC.customers) {
      driver.setTableRow(CUSTOMERS_TABLE, r.key, r.event.value as CustomerProfile);
      continue;
    }
    driver.pipe(r.topic, r.key, r.event as InputEvent);
  }
  const activities = driver.readOutput(topics.customerActivity).map((o) => (o.value as { value: CustomerActivity }).value);
  return { activities, driver };
}

test('the validator routes each placed order and payment attempt as an enriched activity keyed by customer', () => {
  const { activities, driver } = validated();
  expect(driver.readDeadLetters()).toEqual([]);
  const placed = records.filter((r) => r.event.type === 'OrderPlaced').length;
  const attempts = records.filter((r) => r.event.type === 'PaymentAuthorized' || r.event.type === 'PaymentDeclined').length;
  expect(activities.filter((a) => a.kind === 'ORDER_PLACED')).toHaveLength(placed);
  expect(activities.filter((a) => a.kind === 'PAYMENT_AUTHORIZED' || a.kind === 'PAYMENT_DECLINED')).toHaveLength(attempts);
  expect(activities.every((a) => a.customerKnown && a.customerCountry !== null)).toBe(true);
});

test('the validator dead-letters an event from the future and one whose total does not add up', () => {
  const driver = new ProcessorTestDriver(validator(topics, noCodec, 'validator', { now: () => Date.parse('2024-05-01T00:00:00Z') }));
  const placed = records.find((r) => r.event.type === 'OrderPlaced')!;
  const event = placed.event as Extract<InputEvent, { type: 'OrderPlaced' }>;
  driver.pipe(placed.topic, placed.key, {
    ...event,
    value: { ...event.value, envelope: { ...event.value.envelope, occurredAt: new Date('2024-06-01T00:00:00Z') } },
  });
  driver.pipe(placed.topic, placed.key, {
    ...event,
    value: { ...event.value, totalCents: event.value.totalCents + 1, envelope: { ...event.value.envelope, occurredAt: new Date('2024-04-30T00:00:00Z') } },
  });
  expect(driver.readDeadLetters().map((d) => d.code)).toEqual(['FUTURE_EVENT', 'TOTAL_MISMATCH']);
  expect(driver.readOutput(topics.customerActivity)).toEqual([]);
});

test('the fraud detector alerts each burst customer once per window, and a redelivered stream changes nothing', () => {
  const { activities } = validated();
  const driver = new ProcessorTestDriver(fraudDetector(topics, noCodec, DEFAULT_FRAUD_RULES_CONFIG));
  const sorted = [...activities].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  for (const activity of sorted) driver.pipe(topics.customerActivity, activity.customerId, { type: 'CustomerActivity', value: activity });
  const alerts = driver.readOutput(topics.fraudAlerts).map((o) => (o.value as { value: FraudAlert }).value);
  const counters = driver.readOutput(topics.fraudCounters);
  expect(driver.readDeadLetters()).toEqual([]);

  const threshold = DEFAULT_FRAUD_RULES_CONFIG.rules[FRAUD_RULES.orderCount].threshold;
  const bursts = burstCustomers(records, threshold, DEFAULT_FRAUD_RULES_CONFIG.rules[FRAUD_RULES.orderCount].windowSizeMs);
  expect(bursts.length).toBeGreaterThan(0);
  const alerted = new Set(alerts.filter((a) => a.rule === FRAUD_RULES.orderCount).map((a) => a.customerId));
  expect([...alerted].sort()).toEqual([...bursts].sort());
  expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length); // no alert twice
  expect(counters.length).toBeGreaterThan(0);
  for (const c of counters) expect((c.value as FraudCounters).customerId).toBe(c.key);

  for (const activity of sorted) driver.pipe(topics.customerActivity, activity.customerId, { type: 'CustomerActivity', value: activity });
  expect(driver.readOutput(topics.fraudAlerts)).toEqual([]);
  expect(driver.readOutput(topics.fraudCounters)).toEqual([]);
});

test('an activity older than its windows plus grace is counted as late, not applied', () => {
  const { activities } = validated();
  const driver = new ProcessorTestDriver(fraudDetector(topics, noCodec, DEFAULT_FRAUD_RULES_CONFIG));
  const placed = activities.find((a) => a.kind === 'ORDER_PLACED')!;
  driver.pipe(topics.customerActivity, placed.customerId, { type: 'CustomerActivity', value: placed });
  const before = driver.readOutput(topics.fraudCounters);
  // two days older than stream time: past every window's end plus grace
  const late = { ...placed, eventId: 'late-event', occurredAt: new Date(placed.occurredAt.getTime() - 2 * 24 * 3_600_000) };
  driver.pipe(topics.customerActivity, late.customerId, { type: 'CustomerActivity', value: late });
  expect(driver.lateRecords).toBe(2); // order-count and order-amount
  expect(before).toHaveLength(1);
  expect(driver.readOutput(topics.fraudCounters)).toEqual([]);
});
