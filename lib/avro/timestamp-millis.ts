/**
 * Avro `timestamp-millis` as a JavaScript Date.
 *
 * avsc ignores logical types it has no implementation for, so without this
 * class a timestamp field is a plain long and a Date handed to it is
 * rejected. Registered through `logicalTypes` (see ./options.ts), it decodes
 * to a Date and encodes from a Date, an epoch-millisecond integer or an
 * ISO-8601 string with a time zone.
 *
 * Anything else makes `_toValue` throw: avsc's `isValid` catches that and
 * reports the value through its `errorHook` with the field's path, and
 * `toBuffer` surfaces our message instead of a vague "invalid long".
 */
import { Type, types } from 'avsc';

export const TIMESTAMP_MILLIS = 'timestamp-millis';

/**
 * JavaScript Dates span ±8.64e15 ms around the epoch; a number outside that
 * range is a bug upstream (often seconds or microseconds instead of millis
 * would still be in range, but nanoseconds would not).
 */
const MAX_DATE_MS = 8.64e15;

/**
 * RFC 3339 / ISO-8601 extended date-time with a mandatory offset. A string
 * without an offset is refused because JavaScript would read it as local
 * time, so the same event would get a different instant on another machine.
 * At most three fractional digits: more would be silently truncated to the
 * millisecond, and we refuse lossy input everywhere (as for 1.5 ms).
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

export class TimestampMillisError extends Error {
  override readonly name = 'TimestampMillisError';
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `number ${value}`;
  return value === null ? 'null' : typeof value;
}

/** Parses a strict ISO-8601 string to epoch millis, or undefined if it is not one or names an impossible date. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_8601.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // "5" means 500 ms, "05" means 50 ms.
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  // Built field by field: Date.UTC maps years 0-99 to 1900-1999, and
  // Date.parse accepts 2024-02-30 as March 1st. Reading the fields back
  // tells an impossible date or time apart from a real one.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * Converts an accepted input to epoch millis, throwing a TimestampMillisError
 * that says what was wrong otherwise.
 */
export function toEpochMillis(value: unknown): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new TimestampMillisError(`timestamp-millis: ${describe(value)}`);
    return ms;
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_DATE_MS) {
      throw new TimestampMillisError(`timestamp-millis: ${describe(value)} is not an integer number of epoch milliseconds within the Date range`);
    }
    return value;
  }
  if (typeof value === 'string') {
    const ms = parseIsoTimestamp(value);
    if (ms === undefined || Math.abs(ms) > MAX_DATE_MS) {
      throw new TimestampMillisError(`timestamp-millis: ${describe(value)} is not an ISO-8601 date-time with a time zone (e.g. 2024-05-01T12:00:00.000Z)`);
    }
    return ms;
  }
  throw new TimestampMillisError(`timestamp-millis: ${describe(value)} is not a Date, epoch-millisecond integer or ISO-8601 string`);
}

/** Epoch millis read from the wire to a Date; out-of-range longs would otherwise become an Invalid Date silently. */
function toDate(ms: unknown): Date {
  if (ms instanceof Date) return ms;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || Math.abs(ms) > MAX_DATE_MS) {
    throw new TimestampMillisError(`timestamp-millis: decoded ${describe(ms)} is outside the Date range`);
  }
  return new Date(ms);
}

export class TimestampMillisType extends types.LogicalType {
  protected override _fromValue(value: unknown): Date {
    return toDate(value);
  }

  protected override _toValue(value: unknown): number {
    // avsc asks every branch of a ["null", timestamp] union; answering null with
    // undefined (avsc's "not mine") spares building an error on each encode
    if (value === null || value === undefined) return undefined as unknown as number;
    return toEpochMillis(value);
  }

  /**
   * Which writer types we can read as a Date. A plain long or int is epoch
   * millis by the Avro spec (logical types are annotations), so a writer
   * schema that predates the annotation still reads. A writer that is itself
   * timestamp-millis yields a Date if it was parsed with this class
   * registered, and a number otherwise; toDate accepts both.
   */
  protected override _resolve(writer: Type): ((value: unknown) => Date) | undefined {
    if (Type.isType(writer, 'long', 'int', `logical:${TIMESTAMP_MILLIS}`)) return toDate;
    return undefined;
  }
}
