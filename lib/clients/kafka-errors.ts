/** Kafka protocol errors the clients and the runtime tell apart, by kafkajs's error type. */

/**
 * The transaction coordinator refused a request because it is still writing
 * the previous transaction's markers (CONCURRENT_TRANSACTIONS): the
 * coordinator is right, and the refusal clears within milliseconds.
 */
export function isConcurrentTransactions(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'CONCURRENT_TRANSACTIONS';
}
