/**
 * Why the stateless validator refuses an event, declared once. The code is
 * what goes in the dead-letter error header and what tests match on; the
 * text is its meaning for whoever reads the DLQ. Each violation also carries
 * a message naming the field path and the offending value.
 */
export const VIOLATION_REASONS = {
  EMPTY_FIELD: 'A required identifier (eventId, customerId, sku, card fingerprint, payment method) is empty.',
  KEY_MISMATCH: "envelope.aggregateId differs from the record key: the event sits in another aggregate's partition.",
  INVALID_VERSION: 'envelope.aggregateVersion is not an integer of at least 1 (OrderPlaced: exactly 1).',
  FUTURE_EVENT: "envelope.occurredAt is later than now plus the tolerance: the producer's clock or the event is wrong.",
  NO_ITEMS: 'An OrderPlaced without items.',
  INVALID_QUANTITY: 'A quantity that is not a positive integer.',
  INVALID_PRICE: 'A unit price that is not a non-negative integer of cents.',
  TOTAL_MISMATCH: 'OrderPlaced.totalCents differs from the sum of quantity × unitPriceCents over its items.',
  UNKNOWN_CURRENCY: 'A currency code that lib/domain/currencies.ts does not list.',
  INVALID_AMOUNT: 'A payment amount that is not a positive integer of cents.',
} as const;

export type ViolationCode = keyof typeof VIOLATION_REASONS;

export interface Violation {
  readonly code: ViolationCode;
  /** Path of the offending field, e.g. OrderPlaced.items[1].quantity. */
  readonly field: string;
  /** Names the field and its value, e.g. `OrderPlaced.totalCents is 1999 but its items sum to 1899`. */
  readonly message: string;
}

/** A violation whose message starts with the field path and its value: `<field> is <value><detail>`. */
export function violation(code: ViolationCode, field: string, value: unknown, detail: string): Violation {
  return { code, field, message: `${field} is ${show(value)}${detail}` };
}

/** Strings quoted (so an empty or padded value is visible), arrays as JSON, dates in ISO-8601, the rest as written. */
export function show(value: unknown): string {
  if (typeof value === 'string' || Array.isArray(value)) return JSON.stringify(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  return String(value);
}

/**
 * What ctx.reject() takes for an event with violations: the first code (the
 * DLQ header has room for one) and every message, so nothing is hidden.
 */
export function rejectionOf(violations: readonly Violation[]): { code: ViolationCode; message: string } | null {
  const first = violations[0];
  if (first === undefined) return null;
  return { code: first.code, message: violations.map((v) => `${v.code}: ${v.message}`).join('; ') };
}
