/**
 * Capped exponential backoff (store writes, Kafka reconnects, task rebuilds): 100 ms, 200 ms, 400 ms … up
 * to the cap, so a store that is down for minutes is probed every few
 * seconds, not hammered, and one that blipped is retried almost at once.
 * Jitter spreads the retries of several sink instances that failed together.
 */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
  /** Growth per attempt (2: doubling). */
  readonly multiplier: number;
  /** 0..1: each delay is drawn from [delay × (1 − jitter), delay]. 0 gives the exact schedule. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (0 for the first retry after a
 * failure). `random` is injectable so the schedule is testable.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`backoffDelay: attempt must be a non-negative integer, got ${attempt}`);
  // exponent capped so the power never overflows to Infinity for long outages
  const exponent = Math.min(attempt, 64);
  const delay = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(delay * (1 - jitter * random()));
}

/** The first `count` delays without jitter: for logs, docs and tests. */
export function backoffSchedule(policy: BackoffPolicy, count: number): number[] {
  return Array.from({ length: count }, (_, attempt) => backoffDelay({ ...policy, jitter: 0 }, attempt));
}

/** Reconnecting to Kafka and rebuilding tasks: quick after a blip, every 10 s at most during an outage, spread by jitter. */
export const KAFKA_RECOVERY_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 10_000, multiplier: 2, jitter: 0.5 };
