/**
 * OrderState ↔ the fields of its Redis hash. Every value is a string (that
 * is all a hash holds): amounts are integer cents, times ISO-8601 UTC (easy
 * to read in redis-cli, parsed by any language), items a JSON array. A null
 * in the state is an absent field: the script replaces the whole hash.
 */
import type { OrderItem, OrderState, OrderStatus, PaymentStatus } from '../../schemas/generated/types';
import { HashFields, HashFormatError } from './hash-fields';

/**
 * Every field of an order hash, in a fixed order: the writer sends values
 * only, in this order (field names once per script call), which halves what
 * goes over the wire and through the script.
 */
export const ORDER_HASH_FIELDS = [
  'orderId',
  'customerId',
  'status',
  'totalCents',
  'currency',
  'itemsCount',
  'items',
  'placedAt',
  'confirmedAt',
  'shippedAt',
  'deliveredAt',
  'cancelledAt',
  'carrier',
  'trackingNumber',
  'cancelReason',
  'cancelledBy',
  'paymentStatus',
  'amountAuthorizedCents',
  'amountCapturedCents',
  'amountRefundedCents',
  'lastEventAt',
  'lastEventId',
  'version',
  'paymentVersion',
] as const;

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** The values of ORDER_HASH_FIELDS for a state; null: the field is absent from the hash (removed if it was there). */
export function orderHashValues(state: OrderState): Array<string | null> {
  let units = 0;
  const items: string[] = [];
  for (const { sku, quantity, unitPriceCents } of state.items) {
    units += quantity;
    items.push(JSON.stringify({ sku, quantity, unitPriceCents }));
  }
  return [
    state.orderId,
    state.customerId,
    state.status,
    String(state.totalCents),
    state.currency,
    String(units),
    `[${items.join(',')}]`,
    state.placedAt.toISOString(),
    iso(state.confirmedAt),
    iso(state.shippedAt),
    iso(state.deliveredAt),
    iso(state.cancelledAt),
    state.carrier,
    state.trackingNumber,
    state.cancelReason,
    state.cancelledBy,
    state.paymentStatus,
    String(state.amountAuthorizedCents),
    String(state.amountCapturedCents),
    String(state.amountRefundedCents),
    state.lastEventAt.toISOString(),
    state.lastEventId,
    String(state.version),
    String(state.paymentVersion),
  ];
}

/** The hash an order is stored as: every non-null field. */
export function orderHashFields(state: OrderState): HashFields {
  const values = orderHashValues(state);
  const fields: HashFields = {};
  ORDER_HASH_FIELDS.forEach((name, i) => {
    const value = values[i];
    if (value !== null && value !== undefined) fields[name] = value;
  });
  return fields;
}

/** An order as read back from Redis (what lookups print). */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: string;
  /** Units over every line. */
  readonly itemsCount: number;
  readonly items: readonly OrderItem[];
  readonly placedAt: string;
  readonly confirmedAt: string | null;
  readonly shippedAt: string | null;
  readonly deliveredAt: string | null;
  readonly cancelledAt: string | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly cancelReason: string | null;
  readonly cancelledBy: string | null;
  readonly paymentStatus: PaymentStatus;
  readonly amountAuthorizedCents: number;
  readonly amountCapturedCents: number;
  readonly amountRefundedCents: number;
  readonly lastEventAt: string;
  readonly lastEventId: string;
  readonly version: number;
  readonly paymentVersion: number;
}

function required(fields: HashFields, key: string, name: string): string {
  const value = fields[name];
  if (value === undefined) {
    throw new HashFormatError(`${key} has no field ${name}; was it written by another program? (the Redis sink writes every required field)`);
  }
  return value;
}

function integer(fields: HashFields, key: string, name: string): number {
  const text = required(fields, key, name);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new HashFormatError(`${key} field ${name} is ${JSON.stringify(text)}, not an integer`);
  return value;
}

/** Parses a hash written by orderHashFields; `key` names it in errors. */
export function parseOrderHash(key: string, fields: HashFields): OrderView {
  let items: OrderItem[];
  try {
    items = JSON.parse(required(fields, key, 'items')) as OrderItem[];
  } catch (error) {
    if (error instanceof HashFormatError) throw error;
    throw new HashFormatError(`${key} field items is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const optional = (name: string): string | null => fields[name] ?? null;
  return {
    orderId: required(fields, key, 'orderId'),
    customerId: required(fields, key, 'customerId'),
    status: required(fields, key, 'status') as OrderStatus,
    totalCents: integer(fields, key, 'totalCents'),
    currency: required(fields, key, 'currency'),
    itemsCount: integer(fields, key, 'itemsCount'),
    items,
    placedAt: required(fields, key, 'placedAt'),
    confirmedAt: optional('confirmedAt'),
    shippedAt: optional('shippedAt'),
    deliveredAt: optional('deliveredAt'),
    cancelledAt: optional('cancelledAt'),
    carrier: optional('carrier'),
    trackingNumber: optional('trackingNumber'),
    cancelReason: optional('cancelReason'),
    cancelledBy: optional('cancelledBy'),
    paymentStatus: required(fields, key, 'paymentStatus') as PaymentStatus,
    amountAuthorizedCents: integer(fields, key, 'amountAuthorizedCents'),
    amountCapturedCents: integer(fields, key, 'amountCapturedCents'),
    amountRefundedCents: integer(fields, key, 'amountRefundedCents'),
    lastEventAt: required(fields, key, 'lastEventAt'),
    lastEventId: required(fields, key, 'lastEventId'),
    version: integer(fields, key, 'version'),
    paymentVersion: integer(fields, key, 'paymentVersion'),
  };
}
