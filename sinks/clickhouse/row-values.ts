/**
 * Checks that a decoded value fits its column before it is sent. ClickHouse
 * does not always refuse a value that does not fit (18.16 wraps 300 into a
 * UInt8 without a word), and when it does refuse, it refuses the whole
 * insert; checked here, a bad value is pinned to the record that carries it.
 */
import { hasLoneSurrogate } from './unicode';

export class RowMappingError extends Error {
  override readonly name = 'RowMappingError';
}

const UINT32_MAX = 2 ** 32 - 1;

function isIntInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

export function uint32(value: number, what: string): number {
  if (!isIntInRange(value, 0, UINT32_MAX)) throw new RowMappingError(`${what} is ${value}, expected an integer from 0 to ${UINT32_MAX}`);
  return value;
}

/** Int64 as far as a JS number is exact (Avro longs decode to numbers within ±2^53). */
export function int64(value: number, what: string): number {
  if (!isIntInRange(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
    throw new RowMappingError(`${what} is ${value}, expected an integer within ±2^53`);
  }
  return value;
}

/** A non-negative UInt64 within the exact range of a JS number. */
export function uint64(value: number, what: string): number {
  if (!isIntInRange(value, 0, Number.MAX_SAFE_INTEGER)) throw new RowMappingError(`${what} is ${value}, expected an integer from 0 to 2^53 - 1`);
  return value;
}

/** A string that survives the trip as UTF-8 (a lone surrogate would be replaced on the way, changing the value). */
export function text(value: string, what: string): string {
  if (typeof value !== 'string') throw new RowMappingError(`${what} is ${typeof value}, expected a string`);
  if (hasLoneSurrogate(value)) throw new RowMappingError(`${what} ${JSON.stringify(value)} is not valid Unicode (a lone UTF-16 surrogate)`);
  return value;
}

/** A Kafka offset (a decimal string) as a number. */
export function kafkaOffset(offset: string, what: string): number {
  const value = /^\d+$/.test(offset) ? Number(offset) : Number.NaN;
  return uint64(value, `${what} offset "${offset}"`);
}
