/**
 * Runs a Kafka step until it succeeds, with backoff, logging each wait:
 * Kafka being away (a client error, a step timed out) is waited out; errors
 * no retry fixes (credentials, permissions) and the service's own end it.
 */
import type { Logger } from '../logger';
import type { BackoffPolicy } from '../retry/backoff';
import { retryUntilDone } from '../retry/retry-until-done';
import { StepTimeoutError } from '../retry/within';
import { errorIds, isFatalKafkaError, isKafkaError } from './errors';

export interface UntilKafkaAnswersOptions {
  readonly logger: Logger;
  readonly policy: BackoffPolicy;
  /** The owner stopped or failed: no further attempt. */
  readonly stopped: () => boolean;
}

export function untilKafkaAnswers<T>(what: string, step: () => Promise<T>, { logger, policy, stopped }: UntilKafkaAnswersOptions): Promise<T> {
  return retryUntilDone(step, {
    policy,
    isFatal: (error) => isFatalKafkaError(error) || !(isKafkaError(error) || error instanceof StepTimeoutError),
    stopped,
    onRetry: ({ attempt, delayMs, error }) =>
      logger.warn(
        { what, attempt, retryInMs: delayMs, err: error instanceof Error ? error.message : String(error), errors: errorIds(error) },
        `cannot ${what} yet (is Kafka reachable at KAFKA_BROKERS?); retrying`,
      ),
  });
}
