/**
 * Bounds the publish calls awaiting acknowledgement, so a fast source
 * (a file, the load generator) keeps the publisher's batches full without
 * buffering its whole input in memory: `add` waits while the window is full.
 * The first failure is kept and thrown by the next `add` or by `drain`.
 */
import { DEFAULT_BATCH_SETTINGS } from './send-batcher';

/**
 * Publish calls of `callSize` events to keep awaiting acknowledgement so that
 * batches leave full: one batch in flight, the next one full and waiting, and
 * a call filling the one after. Fewer, and the batcher sends part-filled
 * batches (the client pays per request); more only holds more events in memory.
 */
export function inFlightCallsFor(callSize: number, batchSize: number = DEFAULT_BATCH_SETTINGS.maxBatchMessages): number {
  return Math.ceil((2 * batchSize) / callSize) + 1;
}

export class InFlightWindow {
  private readonly pending = new Set<Promise<void>>();
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`in-flight limit must be an integer ≥ 1, got ${limit}`);
  }

  get size(): number {
    return this.pending.size;
  }

  /** The first failure of a tracked call, if any (kept until the window is discarded). */
  get error(): unknown {
    return this.failure?.error;
  }

  async add(work: Promise<unknown>): Promise<void> {
    this.throwIfFailed();
    const tracked: Promise<void> = work.then(
      () => {
        this.pending.delete(tracked);
      },
      (error: unknown) => {
        this.pending.delete(tracked);
        this.failure ??= { error };
      },
    );
    this.pending.add(tracked);
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    this.throwIfFailed();
  }

  /** Waits for every tracked call; throws the first failure. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.race(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
