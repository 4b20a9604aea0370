/**
 * A promise-chain mutex: processing, commits and aborts of the engine never
 * interleave. It knows since when the work under way holds it, so /health
 * and the membership watchdog can say when something inside it hangs.
 */
export class Lock {
  private tail: Promise<void> = Promise.resolve();
  private heldSince: number | undefined;

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      this.heldSince = Date.now();
      try {
        return await work();
      } finally {
        this.heldSince = undefined;
      }
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** How long the work under way has held the lock; undefined when free. */
  heldForMs(now = Date.now()): number | undefined {
    return this.heldSince === undefined ? undefined : now - this.heldSince;
  }
}
