import { TOPIC } from '../../../lib/topics';
import { getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import type { JsonObject } from '../../../schemas/json';
import type { CustomerActivity, CustomerProfile } from '../../../schemas/generated/types';
import { ACTIVITY_KINDS, ActivitySource, InputEvent, activityCustomerId, toCustomerActivity, validateEvent } from '../../../lib/domain/validation/rules';
import {
  CUSTOMER_ID,
  ORDER_ID,
  T0,
  added,
  authorized,
  cancelled,
  captured,
  confirmed,
  declined,
  deepFreeze,
  delivered,
  placed,
  refunded,
  removed,
  shipped,
  SPOON,
} from '../../fixtures/order-events';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const PROFILE: CustomerProfile = { ...SAMPLE_RECORDS.CustomerProfile, customerId: CUSTOMER_ID, country: 'GB', segment: 'gold' };
const SOURCE: ActivitySource = { topic: 'orders.events', partition: 4, offset: '1234' };
const activityRecord = getCatalogRecord(loadSchemaCatalog(), TOPIC.customerActivity, 'com.streamfold.derived.CustomerActivity');

const NOT_KNOWN = { customerKnown: false, customerCountry: null, customerSegment: null } as const;
const KNOWN = { customerKnown: true, customerCountry: 'GB', customerSegment: 'gold' } as const;
const LINEAGE = { sourceTopic: 'orders.events', sourcePartition: 4, sourceOffset: 1234 } as const;
const NO_CARD = { cardFingerprint: null, paymentMethodId: null, cardCountry: null } as const;

function base(event: InputEvent): Pick<CustomerActivity, 'eventId' | 'orderId' | 'occurredAt'> {
  const { envelope } = event.value;
  return { eventId: envelope.eventId, orderId: ORDER_ID, occurredAt: envelope.occurredAt };
}

function expectValidAvro(activity: CustomerActivity | null): void {
  const invalid: string[] = [];
  activityRecord.type.isValid(activity, { errorHook: (path) => invalid.push(path.join('.')) });
  expect(invalid).toEqual([]);
}

describe('events that carry their customer', () => {
  test('OrderPlaced → ORDER_PLACED with the order total, enriched', () => {
    const event = placed();
    const activity = toCustomerActivity(event, PROFILE, SOURCE);
    expect(activity).toEqual({
      ...base(event),
      customerId: CUSTOMER_ID,
      kind: 'ORDER_PLACED',
      amountCents: 6499,
      currency: 'EUR',
      ...NO_CARD,
      ...KNOWN,
      ...LINEAGE,
    });
    expectValidAvro(activity);
  });

  test('OrderPlaced of an unknown customer: customerKnown false, no enrichment', () => {
    const activity = toCustomerActivity(placed(), undefined, SOURCE);
    expect(activity).toMatchObject({ kind: 'ORDER_PLACED', customerId: CUSTOMER_ID, ...NOT_KNOWN });
    expectValidAvro(activity);
  });

  test('PaymentAuthorized → PAYMENT_AUTHORIZED with the card', () => {
    const event = authorized(1, 6499);
    const source = { topic: 'payments.events', partition: 1, offset: '7' };
    const activity = toCustomerActivity(event, PROFILE, source);
    expect(activity).toEqual({
      ...base(event),
      customerId: CUSTOMER_ID,
      kind: 'PAYMENT_AUTHORIZED',
      amountCents: 6499,
      currency: 'EUR',
      cardFingerprint: 'fp-1',
      paymentMethodId: 'pm-1',
      cardCountry: 'DE',
      ...KNOWN,
      sourceTopic: 'payments.events',
      sourcePartition: 1,
      sourceOffset: 7,
    });
    expectValidAvro(activity);
    expect(toCustomerActivity(event, undefined, source)).toMatchObject({ kind: 'PAYMENT_AUTHORIZED', ...NOT_KNOWN });
  });

  test('PaymentDeclined → PAYMENT_DECLINED; an empty card country becomes null', () => {
    const event = declined(1, 500);
    expect(toCustomerActivity(event, PROFILE, SOURCE)).toMatchObject({
      kind: 'PAYMENT_DECLINED',
      amountCents: 500,
      cardFingerprint: 'fp-1',
      cardCountry: 'DE',
      ...KNOWN,
    });
    if (event.type !== 'PaymentDeclined') throw new Error('fixture');
    const unknownCountry: InputEvent = { type: 'PaymentDeclined', value: { ...event.value, country: '' } };
    const activity = toCustomerActivity(unknownCountry, undefined, SOURCE);
    expect(activity).toMatchObject({ kind: 'PAYMENT_DECLINED', cardCountry: null, ...NOT_KNOWN });
    expectValidAvro(activity);
  });
});

describe('events that imply their customer through the order', () => {
  const cases: Array<[string, InputEvent, Partial<CustomerActivity>]> = [
    ['OrderCancelled', cancelled(2), { kind: 'ORDER_CANCELLED', amountCents: 0, currency: '' }],
    ['PaymentCaptured', captured(2, 6499), { kind: 'PAYMENT_CAPTURED', amountCents: 6499, currency: 'EUR' }],
    ['RefundIssued', refunded(3, 1250), { kind: 'REFUND_ISSUED', amountCents: 1250, currency: 'EUR' }],
  ];

  test.each(cases)('%s without the order customer is no activity', (_type, event) => {
    expect(activityCustomerId(event)).toBeNull();
    expect(toCustomerActivity(event, PROFILE, SOURCE)).toBeNull();
  });

  test.each(cases)('%s with the order customer resolved, with and without a profile', (_type, event, expected) => {
    const withProfile = toCustomerActivity(event, PROFILE, SOURCE, CUSTOMER_ID);
    expect(withProfile).toEqual({ ...base(event), customerId: CUSTOMER_ID, ...NO_CARD, ...KNOWN, ...LINEAGE, ...expected });
    expectValidAvro(withProfile);
    expect(toCustomerActivity(event, undefined, SOURCE, CUSTOMER_ID)).toMatchObject({ ...expected, ...NOT_KNOWN });
  });

  test("a record's own customerId wins over the one resolved from the order", () => {
    expect(activityCustomerId(placed(), 'someone-else')).toBe(CUSTOMER_ID);
  });
});

test.each([
  ['OrderItemAdded', added(2, SPOON)],
  ['OrderItemRemoved', removed(3, SPOON.sku, 1)],
  ['OrderConfirmed', confirmed(4)],
  ['OrderShipped', shipped(5)],
  ['OrderDelivered', delivered(6)],
])('%s is no customer activity, even with the customer known', (_type, event) => {
  expect(toCustomerActivity(event, PROFILE, SOURCE, CUSTOMER_ID)).toBeNull();
});

test('ACTIVITY_KINDS uses every ActivityKind symbol of the schema, once', () => {
  const kindField = (activityRecord.schema['fields'] as JsonObject[]).find((f) => f['name'] === 'kind');
  const symbols = (kindField?.['type'] as JsonObject)['symbols'] as string[];
  const used = Object.values(ACTIVITY_KINDS).filter((k): k is NonNullable<typeof k> => k !== null);
  expect([...used].sort()).toEqual([...symbols].sort());
});

test('the activity keeps the source eventId and event time, and shares no Date with the event', () => {
  const event = deepFreeze(placed(undefined, { at: T0 + 42 }));
  const activity = toCustomerActivity(event, PROFILE, SOURCE);
  expect(activity?.eventId).toBe(event.value.envelope.eventId);
  expect(activity?.occurredAt.getTime()).toBe(T0 + 42);
  expect(activity?.occurredAt).not.toBe(event.value.envelope.occurredAt);
});

test('a valid event maps, and the validator accepts what the mapping reads', () => {
  const event = authorized(1, 100);
  expect(validateEvent(event, ORDER_ID, { now: T0 + 3_600_000 })).toEqual([]);
  expect(toCustomerActivity(event, undefined, SOURCE)).not.toBeNull();
});

test("another customer's profile is a caller bug and throws", () => {
  const other = { ...PROFILE, customerId: 'cust-2' };
  expect(() => toCustomerActivity(placed(), other, SOURCE)).toThrow(/profile of customer cust-2 given for an event of customer cust-1/);
});

test.each(['', 'abc', '-1', '9007199254740993'])('source offset %p is refused', (offset) => {
  expect(() => toCustomerActivity(placed(), undefined, { ...SOURCE, offset })).toThrow(/source offset .* is not a non-negative safe integer/);
});
