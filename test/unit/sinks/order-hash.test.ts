import type { OrderState } from '../../../schemas/generated/types';
import { HashFormatError } from '../../../sinks/redis/hash-fields';
import { orderHashFields, parseOrderHash } from '../../../sinks/redis/order-hash';

const shipped: OrderState = {
  orderId: 'o-1',
  customerId: 'c-1',
  status: 'SHIPPED',
  items: [
    { sku: 'SKU-1', quantity: 2, unitPriceCents: 1250 },
    { sku: 'SKU-2', quantity: 1, unitPriceCents: 999 },
  ],
  totalCents: 3499,
  currency: 'EUR',
  placedAt: new Date('2024-03-01T10:00:00.000Z'),
  confirmedAt: new Date('2024-03-01T10:05:00.000Z'),
  shippedAt: new Date('2024-03-02T08:00:00.000Z'),
  deliveredAt: null,
  cancelledAt: null,
  carrier: 'DHL',
  trackingNumber: 'TRK-9',
  cancelReason: null,
  cancelledBy: null,
  paymentStatus: 'CAPTURED',
  amountAuthorizedCents: 3499,
  amountCapturedCents: 3499,
  amountRefundedCents: 0,
  lastEventAt: new Date('2024-03-02T08:00:00.000Z'),
  lastEventId: 'e-5',
  version: 3,
  paymentVersion: 2,
};

test('an order becomes string fields: cents as integers, times ISO-8601 UTC, items as JSON, nulls absent', () => {
  expect(orderHashFields(shipped)).toEqual({
    orderId: 'o-1',
    customerId: 'c-1',
    status: 'SHIPPED',
    totalCents: '3499',
    currency: 'EUR',
    itemsCount: '3',
    items: '[{"sku":"SKU-1","quantity":2,"unitPriceCents":1250},{"sku":"SKU-2","quantity":1,"unitPriceCents":999}]',
    placedAt: '2024-03-01T10:00:00.000Z',
    confirmedAt: '2024-03-01T10:05:00.000Z',
    shippedAt: '2024-03-02T08:00:00.000Z',
    carrier: 'DHL',
    trackingNumber: 'TRK-9',
    paymentStatus: 'CAPTURED',
    amountAuthorizedCents: '3499',
    amountCapturedCents: '3499',
    amountRefundedCents: '0',
    lastEventAt: '2024-03-02T08:00:00.000Z',
    lastEventId: 'e-5',
    version: '3',
    paymentVersion: '2',
  });
});

test('a hash reads back as the order it was written from', () => {
  const view = parseOrderHash('sf:order:o-1', orderHashFields(shipped));
  expect(view).toEqual({
    ...shipped,
    itemsCount: 3,
    placedAt: '2024-03-01T10:00:00.000Z',
    confirmedAt: '2024-03-01T10:05:00.000Z',
    shippedAt: '2024-03-02T08:00:00.000Z',
    lastEventAt: '2024-03-02T08:00:00.000Z',
  });
});

test('a hash the sink did not write is reported with its key and field', () => {
  const { version: _version, ...fields } = orderHashFields(shipped);
  expect(() => parseOrderHash('sf:order:o-1', fields)).toThrow(
    new HashFormatError('sf:order:o-1 has no field version; was it written by another program? (the Redis sink writes every required field)'),
  );
  expect(() => parseOrderHash('sf:order:o-1', { ...orderHashFields(shipped), totalCents: '12.5' })).toThrow(/field totalCents is "12.5", not an integer/);
});
