/**
 * Runs a step until it succeeds, with capped exponential backoff and
 * jitter between attempts: how services wait for Kafka at start-up and
 * after a fault, instead of failing or spinning.
 */
import { BackoffPolicy, backoffDelay } from './backoff';

export interface RetryOptions {
  readonly policy: BackoffPolicy;
  /** Errors no retry can fix: thrown at once. */
  readonly isFatal: (error: unknown) => boolean;
  /** Checked before each attempt and after each pause: true stops retrying (the owner is stopping) and throws the last error. */
  readonly stopped?: () => boolean;
  /** Before each pause: for a log line saying what is awaited and when it is tried again. */
  readonly onRetry?: (failure: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) => void;
}

export class RetryStoppedError extends Error {
  constructor(cause: unknown) {
    super(`stopped while retrying: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RetryStoppedError';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function retryUntilDone<T>(step: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step(attempt);
    } catch (error) {
      if (options.isFatal(error)) throw error;
      if (options.stopped?.()) throw new RetryStoppedError(error);
      const delayMs = backoffDelay(options.policy, attempt - 1);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
      if (options.stopped?.()) throw new RetryStoppedError(error);
    }
  }
}
