import type { Envelope, OrderEvent, PaymentEvent } from '../../../schemas/generated/types';
import {
  DEFAULT_FUTURE_TOLERANCE_MS,
  InputEvent,
  VIOLATION_REASONS,
  Violation,
  ViolationCode,
  rejectionOf,
  validateEvent,
} from '../../../lib/domain/validation/rules';
import { SAMPLE_RECORDS, sampleEnvelope } from '../../fixtures/sample-records';

const T0 = SAMPLE_RECORDS.OrderPlaced.envelope.occurredAt.getTime();
const NOW = T0 + 60_000;
const KEY = 'order-1';

const S = SAMPLE_RECORDS;
const VALID: InputEvent[] = [
  { type: 'OrderPlaced', value: S.OrderPlaced },
  { type: 'OrderItemAdded', value: S.OrderItemAdded },
  { type: 'OrderItemRemoved', value: S.OrderItemRemoved },
  { type: 'OrderConfirmed', value: S.OrderConfirmed },
  { type: 'OrderShipped', value: S.OrderShipped },
  { type: 'OrderDelivered', value: S.OrderDelivered },
  { type: 'OrderCancelled', value: S.OrderCancelled },
  { type: 'PaymentAuthorized', value: S.PaymentAuthorized },
  { type: 'PaymentDeclined', value: S.PaymentDeclined },
  { type: 'PaymentCaptured', value: S.PaymentCaptured },
  { type: 'RefundIssued', value: S.RefundIssued },
];

const env = (overrides: Partial<Envelope>): Envelope => sampleEnvelope(overrides);
const placed = (overrides: Partial<typeof S.OrderPlaced>): OrderEvent => ({ type: 'OrderPlaced', value: { ...S.OrderPlaced, ...overrides } });
const authorized = (overrides: Partial<typeof S.PaymentAuthorized>): PaymentEvent => ({
  type: 'PaymentAuthorized',
  value: { ...S.PaymentAuthorized, ...overrides },
});

function check(event: InputEvent, key: string | null = KEY, now = NOW): Violation[] {
  return validateEvent(event, key, { now });
}

test.each(VALID.map((e): [string, InputEvent] => [e.type, e]))('a valid %s has no violations', (_type, event) => {
  expect(check(event)).toEqual([]);
});

interface Case {
  readonly name: string;
  readonly event: InputEvent;
  readonly key?: string | null;
  readonly code: ViolationCode;
  readonly field: string;
  readonly message: string;
}

const CASES: Case[] = [
  {
    name: 'empty eventId',
    event: placed({ envelope: env({ eventId: '' }) }),
    code: 'EMPTY_FIELD',
    field: 'OrderPlaced.envelope.eventId',
    message: 'OrderPlaced.envelope.eventId is "", it must not be empty',
  },
  {
    name: 'blank eventId',
    event: { type: 'OrderConfirmed', value: { envelope: env({ eventId: '  ', aggregateVersion: 4 }) } },
    code: 'EMPTY_FIELD',
    field: 'OrderConfirmed.envelope.eventId',
    message: 'OrderConfirmed.envelope.eventId is "  ", it must not be empty',
  },
  {
    name: 'aggregateId differs from the key',
    event: authorized({}),
    key: 'order-2',
    code: 'KEY_MISMATCH',
    field: 'PaymentAuthorized.envelope.aggregateId',
    message: 'PaymentAuthorized.envelope.aggregateId is "order-1" but the record key is "order-2"',
  },
  {
    name: 'no record key',
    event: placed({}),
    key: null,
    code: 'KEY_MISMATCH',
    field: 'OrderPlaced.envelope.aggregateId',
    message: 'OrderPlaced.envelope.aggregateId is "order-1" but the record has no key',
  },
  {
    name: 'version 0',
    event: { type: 'PaymentCaptured', value: { ...S.PaymentCaptured, envelope: env({ aggregateVersion: 0 }) } },
    code: 'INVALID_VERSION',
    field: 'PaymentCaptured.envelope.aggregateVersion',
    message: 'PaymentCaptured.envelope.aggregateVersion is 0, not an integer of at least 1',
  },
  {
    name: 'fractional version',
    event: { type: 'OrderShipped', value: { ...S.OrderShipped, envelope: env({ aggregateVersion: 2.5 }) } },
    code: 'INVALID_VERSION',
    field: 'OrderShipped.envelope.aggregateVersion',
    message: 'OrderShipped.envelope.aggregateVersion is 2.5, not an integer of at least 1',
  },
  {
    name: 'OrderPlaced after version 1',
    event: placed({ envelope: env({ aggregateVersion: 3 }) }),
    code: 'INVALID_VERSION',
    field: 'OrderPlaced.envelope.aggregateVersion',
    message: 'OrderPlaced.envelope.aggregateVersion is 3, but OrderPlaced is always version 1',
  },
  {
    name: 'occurredAt beyond the tolerance',
    event: placed({ envelope: env({ occurredAt: new Date(NOW + DEFAULT_FUTURE_TOLERANCE_MS + 1) }) }),
    code: 'FUTURE_EVENT',
    field: 'OrderPlaced.envelope.occurredAt',
    message: 'OrderPlaced.envelope.occurredAt is 2024-05-01T12:06:00.001Z, 300001 ms after now (2024-05-01T12:01:00.000Z), beyond the 300000 ms tolerance',
  },
  {
    name: 'no items',
    event: placed({ items: [], totalCents: 0 }),
    code: 'NO_ITEMS',
    field: 'OrderPlaced.items',
    message: 'OrderPlaced.items is [], an order needs at least one item',
  },
  {
    name: 'zero quantity in OrderPlaced',
    event: placed({ items: [S.OrderPlaced.items[0]!, { sku: 'SKU-TEAPOT', quantity: 0, unitPriceCents: 3999 }], totalCents: 2500 }),
    code: 'INVALID_QUANTITY',
    field: 'OrderPlaced.items[1].quantity',
    message: 'OrderPlaced.items[1].quantity is 0, not a positive integer',
  },
  {
    name: 'fractional quantity in OrderPlaced',
    event: placed({ items: [{ sku: 'SKU-TEAPOT', quantity: 1.5, unitPriceCents: 1000 }], totalCents: 1500 }),
    code: 'INVALID_QUANTITY',
    field: 'OrderPlaced.items[0].quantity',
    message: 'OrderPlaced.items[0].quantity is 1.5, not a positive integer',
  },
  {
    name: 'negative quantity added',
    event: { type: 'OrderItemAdded', value: { ...S.OrderItemAdded, item: { sku: 'SKU-SPOON', quantity: -2, unitPriceCents: 199 } } },
    code: 'INVALID_QUANTITY',
    field: 'OrderItemAdded.item.quantity',
    message: 'OrderItemAdded.item.quantity is -2, not a positive integer',
  },
  {
    name: 'zero quantity removed',
    event: { type: 'OrderItemRemoved', value: { ...S.OrderItemRemoved, quantity: 0 } },
    code: 'INVALID_QUANTITY',
    field: 'OrderItemRemoved.quantity',
    message: 'OrderItemRemoved.quantity is 0, not a positive integer',
  },
  {
    name: 'negative price in OrderPlaced',
    event: placed({ items: [{ sku: 'SKU-MUG', quantity: 1, unitPriceCents: -100 }], totalCents: -100 }),
    code: 'INVALID_PRICE',
    field: 'OrderPlaced.items[0].unitPriceCents',
    message: 'OrderPlaced.items[0].unitPriceCents is -100, not a non-negative integer of cents',
  },
  {
    name: 'fractional price added',
    event: { type: 'OrderItemAdded', value: { ...S.OrderItemAdded, item: { sku: 'SKU-SPOON', quantity: 1, unitPriceCents: 1.99 } } },
    code: 'INVALID_PRICE',
    field: 'OrderItemAdded.item.unitPriceCents',
    message: 'OrderItemAdded.item.unitPriceCents is 1.99, not a non-negative integer of cents',
  },
  {
    name: 'total differs from the items',
    event: placed({ items: [{ sku: 'SKU-MUG', quantity: 1, unitPriceCents: 1899 }], totalCents: 1999 }),
    code: 'TOTAL_MISMATCH',
    field: 'OrderPlaced.totalCents',
    message: 'OrderPlaced.totalCents is 1999 but its items sum to 1899',
  },
  {
    name: 'lower-case currency',
    event: placed({ currency: 'eur' }),
    code: 'UNKNOWN_CURRENCY',
    field: 'OrderPlaced.currency',
    message: 'OrderPlaced.currency is "eur", not one of EUR, USD, GBP, CHF, SEK, DKK, NOK, PLN, CAD, AUD',
  },
  {
    name: 'unknown payment currency',
    event: { type: 'RefundIssued', value: { ...S.RefundIssued, currency: 'JPY' } },
    code: 'UNKNOWN_CURRENCY',
    field: 'RefundIssued.currency',
    message: 'RefundIssued.currency is "JPY", not one of EUR, USD, GBP, CHF, SEK, DKK, NOK, PLN, CAD, AUD',
  },
  {
    name: 'zero authorized amount',
    event: authorized({ amountCents: 0 }),
    code: 'INVALID_AMOUNT',
    field: 'PaymentAuthorized.amountCents',
    message: 'PaymentAuthorized.amountCents is 0, not a positive integer of cents',
  },
  {
    name: 'negative declined amount',
    event: { type: 'PaymentDeclined', value: { ...S.PaymentDeclined, amountCents: -5 } },
    code: 'INVALID_AMOUNT',
    field: 'PaymentDeclined.amountCents',
    message: 'PaymentDeclined.amountCents is -5, not a positive integer of cents',
  },
  {
    name: 'fractional capture',
    event: { type: 'PaymentCaptured', value: { ...S.PaymentCaptured, amountCents: 10.5 } },
    code: 'INVALID_AMOUNT',
    field: 'PaymentCaptured.amountCents',
    message: 'PaymentCaptured.amountCents is 10.5, not a positive integer of cents',
  },
  {
    name: 'zero refund',
    event: { type: 'RefundIssued', value: { ...S.RefundIssued, amountCents: 0 } },
    code: 'INVALID_AMOUNT',
    field: 'RefundIssued.amountCents',
    message: 'RefundIssued.amountCents is 0, not a positive integer of cents',
  },
  {
    name: 'empty customerId on an order',
    event: placed({ customerId: '' }),
    code: 'EMPTY_FIELD',
    field: 'OrderPlaced.customerId',
    message: 'OrderPlaced.customerId is "", it must not be empty',
  },
  {
    name: 'empty customerId on a payment',
    event: { type: 'PaymentDeclined', value: { ...S.PaymentDeclined, customerId: '' } },
    code: 'EMPTY_FIELD',
    field: 'PaymentDeclined.customerId',
    message: 'PaymentDeclined.customerId is "", it must not be empty',
  },
  {
    name: 'empty card fingerprint',
    event: authorized({ cardFingerprint: '' }),
    code: 'EMPTY_FIELD',
    field: 'PaymentAuthorized.cardFingerprint',
    message: 'PaymentAuthorized.cardFingerprint is "", it must not be empty',
  },
  {
    name: 'empty payment method',
    event: authorized({ paymentMethodId: '' }),
    code: 'EMPTY_FIELD',
    field: 'PaymentAuthorized.paymentMethodId',
    message: 'PaymentAuthorized.paymentMethodId is "", it must not be empty',
  },
  {
    name: 'empty sku removed',
    event: { type: 'OrderItemRemoved', value: { ...S.OrderItemRemoved, sku: '' } },
    code: 'EMPTY_FIELD',
    field: 'OrderItemRemoved.sku',
    message: 'OrderItemRemoved.sku is "", it must not be empty',
  },
  {
    name: 'empty sku placed',
    event: placed({ items: [{ sku: '', quantity: 1, unitPriceCents: 6499 }] }),
    code: 'EMPTY_FIELD',
    field: 'OrderPlaced.items[0].sku',
    message: 'OrderPlaced.items[0].sku is "", it must not be empty',
  },
];

test.each(CASES.map((c): [string, Case] => [c.name, c]))('%s', (_name, c) => {
  expect(check(c.event, c.key === undefined ? KEY : c.key)).toEqual([{ code: c.code, field: c.field, message: c.message }]);
});

test('every violation code has a case above', () => {
  expect([...new Set(CASES.map((c) => c.code))].sort()).toEqual(Object.keys(VIOLATION_REASONS).sort());
});

describe('future tolerance', () => {
  const at = (ms: number): InputEvent => placed({ envelope: env({ occurredAt: new Date(ms) }) });

  test('occurredAt exactly at now + tolerance passes, 1 ms later does not', () => {
    expect(check(at(NOW + DEFAULT_FUTURE_TOLERANCE_MS))).toEqual([]);
    expect(check(at(NOW + DEFAULT_FUTURE_TOLERANCE_MS + 1)).map((v) => v.code)).toEqual(['FUTURE_EVENT']);
  });

  test('the past is fine however far', () => {
    expect(check(at(0))).toEqual([]);
  });

  test('the tolerance is a parameter', () => {
    const event = at(NOW + 1000);
    expect(validateEvent(event, KEY, { now: NOW, futureToleranceMs: 999 }).map((v) => v.code)).toEqual(['FUTURE_EVENT']);
    expect(validateEvent(event, KEY, { now: NOW, futureToleranceMs: 1000 })).toEqual([]);
  });

  test('the default is 5 minutes', () => {
    expect(DEFAULT_FUTURE_TOLERANCE_MS).toBe(300_000);
  });

  test('options that would misjudge every event are refused', () => {
    expect(() => validateEvent(at(NOW), KEY, { now: NOW, futureToleranceMs: -1 })).toThrow(/futureToleranceMs must be a non-negative integer of ms, got -1/);
    expect(() => validateEvent(at(NOW), KEY, { now: Number.NaN })).toThrow(/now must be epoch ms, got NaN/);
  });
});

test('a sum over invalid lines is not reported as a total mismatch', () => {
  const event = placed({ items: [{ sku: 'SKU-MUG', quantity: 0, unitPriceCents: 100 }], totalCents: 999 });
  expect(check(event).map((v) => v.code)).toEqual(['INVALID_QUANTITY']);
});

test('a free item (price 0) is valid', () => {
  expect(check(placed({ items: [{ sku: 'SKU-GIFT', quantity: 1, unitPriceCents: 0 }], totalCents: 0 }))).toEqual([]);
});

test('every violation is reported, envelope first', () => {
  const event = placed({
    envelope: env({ eventId: '', aggregateId: 'order-9' }),
    currency: 'XXX',
    items: [{ sku: 'SKU-MUG', quantity: 2, unitPriceCents: 100 }],
    totalCents: 300,
  });
  expect(check(event).map((v) => `${v.code} ${v.field}`)).toEqual([
    'EMPTY_FIELD OrderPlaced.envelope.eventId',
    'KEY_MISMATCH OrderPlaced.envelope.aggregateId',
    'UNKNOWN_CURRENCY OrderPlaced.currency',
    'TOTAL_MISMATCH OrderPlaced.totalCents',
  ]);
});

describe('rejectionOf', () => {
  test('nothing to reject for a valid event', () => {
    expect(rejectionOf([])).toBeNull();
  });

  test('the first code, and every message', () => {
    const violations = check(authorized({ amountCents: 0, currency: 'eur' }));
    expect(rejectionOf(violations)).toEqual({
      code: 'INVALID_AMOUNT',
      message:
        'INVALID_AMOUNT: PaymentAuthorized.amountCents is 0, not a positive integer of cents; ' +
        'UNKNOWN_CURRENCY: PaymentAuthorized.currency is "eur", not one of EUR, USD, GBP, CHF, SEK, DKK, NOK, PLN, CAD, AUD',
    });
  });
});
