/**
 * kafkajs retries a CONCURRENT_TRANSACTIONS refusal of AddPartitionsToTxn
 * (inside sendBatch) but not of AddOffsetsToTxn (inside sendOffsets). A
 * transaction that carries offsets only (its records wrote nothing), begun
 * while the broker still writes the previous one's markers, would fail and
 * be rolled back and processed again, for a refusal that clears within
 * milliseconds. This retries such a step instead.
 */
import { isConcurrentTransactions } from '../../lib/clients/kafka-errors';

export interface ConcurrentRetry {
  /** Pause between attempts. */
  readonly delayMs: number;
  /** Attempts in all, the first included; the last refusal is thrown. */
  readonly attempts: number;
}

/** 10 ms apart for up to about 2 s: markers take milliseconds; longer means the broker is in trouble. */
export const DEFAULT_CONCURRENT_RETRY: ConcurrentRetry = { delayMs: 10, attempts: 200 };

/** Runs `step`, again after a pause each time the coordinator answers CONCURRENT_TRANSACTIONS; any other error is thrown at once. */
export async function whileConcurrent<T>(step: () => Promise<T>, retry: ConcurrentRetry = DEFAULT_CONCURRENT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isConcurrentTransactions(error) || attempt >= retry.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, retry.delayMs));
    }
  }
}
