/**
 * Event times as ClickHouse 18.16 can store them: it has no DateTime64, so a
 * millisecond timestamp becomes a pair of columns, `<name>_at` DateTime('UTC')
 * ('YYYY-MM-DD hh:mm:ss', whole seconds) and `<name>_ms` UInt16 (0-999).
 * SQL gets the exact epoch millis back as toUInt64(x_at) * 1000 + x_ms.
 * A time the columns cannot hold is bad data (RowMappingError).
 */

import { RowMappingError } from './row-values';

/** DateTime is a UInt32 count of seconds: 1970-01-01 00:00:00 to 2106-02-07 06:28:15 UTC. */
export const DATETIME_MIN_MS = 0;
export const DATETIME_MAX_MS = (2 ** 32 - 1) * 1000 + 999;

export interface TimeColumns {
  readonly at: string;
  readonly ms: number;
}

export function timeColumns(date: Date, what: string): TimeColumns {
  const epochMs = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(epochMs)) throw new RowMappingError(`${what} is not a valid timestamp (got ${String(date)})`);
  if (epochMs < DATETIME_MIN_MS || epochMs > DATETIME_MAX_MS) {
    throw new RowMappingError(`${what} ${date.toISOString()} is outside ClickHouse DateTime's range (1970-01-01 to 2106-02-07 UTC)`);
  }
  const iso = date.toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ, always UTC
  return { at: `${iso.slice(0, 10)} ${iso.slice(11, 19)}`, ms: date.getUTCMilliseconds() };
}

/** For optional timestamps: NULL and 0 ms when absent. */
export function optionalTimeColumns(date: Date | null, what: string): { readonly at: string | null; readonly ms: number } {
  return date === null ? { at: null, ms: 0 } : timeColumns(date, what);
}

/** The epoch millis of a pair read back from ClickHouse (the inverse of timeColumns). */
export function epochMsOf(at: string, ms: number): number {
  return Date.parse(`${at.replace(' ', 'T')}Z`) + ms;
}
