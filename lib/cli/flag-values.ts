/**
 * Typed readers of command-line flag values for the producer CLIs. Each
 * throws a UsageError that names the flag, what it got and what it accepts.
 */
import { UsageError } from './cli';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** An integer from `min` up (at most Number.MAX_SAFE_INTEGER). */
export function intFlag(flag: string, value: string, min: number): number {
  const parsed = Number(value.replace(/_/g, ''));
  if (!/^-?[\d_]+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new UsageError(`--${flag} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** A finite number greater than 0. */
export function positiveNumberFlag(flag: string, value: string): number {
  const parsed = Number(value.replace(/_/g, ''));
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(`--${flag} must be a number > 0, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** A duration: 500ms, 30s, 5m, 1.5h, or a bare number of seconds; returns milliseconds. */
export function durationFlag(flag: string, value: string, options: { readonly allowZero?: boolean } = {}): number {
  const match = DURATION.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!) : NaN;
  if (!match || !Number.isSafeInteger(ms) || (ms === 0 && !options.allowZero)) {
    throw new UsageError(
      `--${flag} must be a duration${options.allowZero ? '' : ' > 0'} such as 500ms, 30s, 5m or 1h (a bare number is seconds), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export function onOffFlag(flag: string, value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(normalized)) return true;
  if (['off', 'false', 'no', '0'].includes(normalized)) return false;
  throw new UsageError(`--${flag} must be on or off, got ${JSON.stringify(value)}`);
}

export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')} (every option is a --flag)`);
}
