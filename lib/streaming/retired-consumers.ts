/**
 * Consumers replaced by a new one. A kafkajs consumer disconnected while
 * its own crash-restart is under way can come back to life and rejoin the
 * group: it would hold partitions and process none (its owner ignores its
 * batches). Every sign of life from a retired consumer disconnects it again.
 */
import type { Consumer } from 'kafkajs';
import type { Logger } from '../logger';

/** How long a replacement waits for the old consumer's disconnect before it starts the new one anyway. */
export const RETIRE_WAIT_MS = 3_000;

export class RetiredConsumers {
  private readonly disconnecting = new WeakMap<Consumer, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Disconnects the consumer (again, if it revived); resolves when it is down. Never rejects. */
  retire(consumer: Consumer): Promise<void> {
    const pending = this.disconnecting.get(consumer);
    if (pending !== undefined) return pending;
    const done = consumer
      .disconnect()
      .catch((error: unknown) => this.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'a replaced consumer did not disconnect cleanly'))
      .finally(() => this.disconnecting.delete(consumer));
    this.disconnecting.set(consumer, done);
    return done;
  }
}
