/**
 * The instant an operations command asks about: an ISO-8601 time with a zone
 * or epoch milliseconds, as the producer CLI takes timestamps.
 */
import { parseIsoTimestamp } from '../../lib/avro/timestamp-millis';
import { UsageError } from '../../lib/cli/cli';

export function parseInstant(flag: string, text: string): Date {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : parseIsoTimestamp(trimmed);
  if (ms === undefined || !Number.isSafeInteger(ms)) {
    throw new UsageError(`--${flag} must be an ISO-8601 time with a zone (e.g. 2024-05-01T12:00:00Z) or epoch milliseconds, got ${JSON.stringify(text)}`);
  }
  return new Date(ms);
}
