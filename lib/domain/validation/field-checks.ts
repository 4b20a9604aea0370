/**
 * Checks of single field values, shared by the envelope, order and payment
 * rules. Each returns the violation or null, so rules read as a list.
 */
import { CURRENCIES, isKnownCurrency } from '../currencies';
import { Violation, violation } from './violations';

export function isPositiveInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

export function isNonNegativeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function nonEmpty(field: string, value: string): Violation | null {
  // Whitespace only is as useless as empty for a key or a dedupe id.
  return value.trim() === '' ? violation('EMPTY_FIELD', field, value, ', it must not be empty') : null;
}

export function positiveQuantity(field: string, quantity: number): Violation | null {
  return isPositiveInteger(quantity) ? null : violation('INVALID_QUANTITY', field, quantity, ', not a positive integer');
}

export function nonNegativePrice(field: string, cents: number): Violation | null {
  return isNonNegativeInteger(cents) ? null : violation('INVALID_PRICE', field, cents, ', not a non-negative integer of cents');
}

export function positiveAmount(field: string, cents: number): Violation | null {
  return isPositiveInteger(cents) ? null : violation('INVALID_AMOUNT', field, cents, ', not a positive integer of cents');
}

export function knownCurrency(field: string, code: string): Violation | null {
  return isKnownCurrency(code) ? null : violation('UNKNOWN_CURRENCY', field, code, `, not one of ${CURRENCIES.join(', ')}`);
}

/** The non-null results, in order. */
export function collect(...checks: ReadonlyArray<Violation | null>): Violation[] {
  return checks.filter((check): check is Violation => check !== null);
}
