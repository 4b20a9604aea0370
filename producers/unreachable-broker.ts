/**
 * Sending while the broker is unreachable (restarting, crashed and starting
 * again): kafkajs gives up once its connection retries are spent, with a
 * non-retriable KafkaJSNumberOfRetriesExceeded around the connection error,
 * even when the producer's own retry budget is larger. `resendWhileUnreachable`
 * sends the same batch again for such errors only, until a deadline. Safe:
 * the producer is idempotent with one request in flight, so a batch that did
 * reach the broker keeps its sequence numbers and is stored once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound']);

/** True when the error (or one of its causes) says the broker could not be reached at all. */
export function isBrokerUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (UNREACHABLE.has(e.name)) return true;
  }
  return false;
}

export interface ResendOptions {
  /** Give up when the broker has been unreachable this long (default 2 minutes). */
  readonly giveUpAfterMs?: number;
  readonly pauseMs?: number;
}

export async function resendWhileUnreachable<T>(send: () => Promise<T>, options: ResendOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.giveUpAfterMs ?? 120_000);
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!isBrokerUnreachable(error) || Date.now() >= deadline) throw error;
      await sleep(options.pauseMs ?? 1_000);
    }
  }
}
