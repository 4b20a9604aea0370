/** Kafka protocol errors the clients and the runtime tell apart, by kafkajs's error type. */
import { FATAL_ERROR_IDS } from '../kafka/errors';

/**
 * The transaction coordinator refused a request because it is still writing
 * the previous transaction's markers (CONCURRENT_TRANSACTIONS): the
 * coordinator is right, and the refusal clears within milliseconds.
 */
export function isConcurrentTransactions(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'CONCURRENT_TRANSACTIONS';
}

/**
 * The producer lost its transactional id to a newer producer (another
 * instance took the partition over, or the broker timed the transaction out
 * and bumped the epoch): Kafka Streams' ProducerFencedException and
 * InvalidProducerEpochException.
 */
export function isFencing(error: unknown): boolean {
  const { type, message } = (error ?? {}) as { type?: unknown; message?: unknown };
  return /FENCED|INVALID_PRODUCER_EPOCH/.test(String(type ?? '')) || /fenced/i.test(String(message ?? ''));
}


/**
 * Whether a Kafka client error means the service cannot recover by itself
 * and should exit for an operator (or supervisor) to act. Connection loss,
 * timeouts, a moving coordinator and fencing are all recoverable: the
 * runtime reconnects, rebuilds and retries.
 */
export function isFatalKafkaError(error: unknown): boolean {
  for (let cause: unknown = error; cause !== undefined && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const type = (cause as { type?: unknown }).type;
    if (typeof type === 'string' && FATAL_ERROR_IDS.has(type)) return true;
    if ((cause as { name?: unknown }).name === 'KafkaJSSASLAuthenticationError') return true;
  }
  return false;
}

/** An error of the Kafka client (any kafkajs error class), as opposed to one of the service's own. */
export function isKafkaError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}
