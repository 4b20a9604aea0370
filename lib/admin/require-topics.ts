/**
 * Fails fast, with the fix, when topics a service or tool needs do not
 * exist: otherwise the client only says "Unknown topic", far from the cause (usually topics never provisioned, or
 * a TOPIC_PREFIX that does not match the provisioned set).
 */
import type { KafkaConfig } from '../config';
import { createAdmin, type Admin } from '../kafka/clients';
import { isFatalKafkaError } from '../kafka/errors';
import type { Logger } from '../logger';
import { BackoffPolicy, KAFKA_RECOVERY_BACKOFF } from '../retry/backoff';
import { retryUntilDone } from '../retry/retry-until-done';

export class MissingTopicsError extends Error {
  override readonly name = 'MissingTopicsError';
}

export async function requireTopics(admin: Admin, topics: readonly string[], who: string, topicPrefix: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  throw new MissingTopicsError(
    `${who} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist: provision the topics with scripts/topics (TOPIC_PREFIX="${topicPrefix}"; is that the prefix you meant?)`,
  );
}

export interface WaitForKafkaOptions {
  readonly logger: Logger;
  /** KAFKA_BROKERS, for the log lines. */
  readonly brokers: readonly string[];
  /** True once the service is stopping: the wait ends (with RetryStoppedError). */
  readonly stopped?: () => boolean;
  /** Pauses between attempts (default KAFKA_RECOVERY_BACKOFF: 250 ms doubling to 10 s, with jitter). */
  readonly policy?: BackoffPolicy;
}

/**
 * requireTopics with an admin client of its own, for services at start-up.
 * While Kafka does not answer it waits, trying again with capped
 * exponential backoff and saying so at each attempt, so a service started
 * before Kafka (or during an outage) comes up with it instead of exiting.
 * Once Kafka answers, missing topics fail at once: waiting cannot create them.
 */
export async function requireTopicsOnStart(
  kafka: KafkaConfig,
  topics: readonly string[],
  who: string,
  topicPrefix: string,
  options: WaitForKafkaOptions,
): Promise<void> {
  const { logger, brokers } = options;
  const startedAt = Date.now();
  let failures = 0;
  await retryUntilDone(
    async () => {
      const admin = createAdmin(kafka, kafka.clientId);
      try {
        await requireTopics(admin, topics, who, topicPrefix);
      } finally {
        await admin.close().catch(() => undefined);
      }
    },
    {
      policy: options.policy ?? KAFKA_RECOVERY_BACKOFF,
      isFatal: (error) => error instanceof MissingTopicsError || isFatalKafkaError(error),
      stopped: options.stopped,
      onRetry: ({ attempt, delayMs, error }) => {
        failures = attempt;
        logger.warn(
          {
            waitingFor: `Kafka at ${brokers.join(',')} to check ${topics.length} topics`,
            attempt,
            retryInMs: delayMs,
            err: error instanceof Error ? error.message : String(error),
            fix: 'start Kafka (scripts/infra up; scripts/infra status says whether it runs), or set KAFKA_BROKERS to where it listens',
          },
          'Kafka does not answer; waiting for it before starting',
        );
      },
    },
  );
  if (failures > 0) logger.info({ brokers, attempts: failures + 1, waitedMs: Date.now() - startedAt }, 'Kafka answers; every topic exists');
}
