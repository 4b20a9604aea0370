/**
 * A compacted topic materialized in full on every instance and kept up to
 * date (like Kafka Streams' GlobalKTable): the latest value per key, a
 * tombstone removes the key. start() returns once the table caught up with
 * the topic's end at start time, so processing never sees a half-loaded table.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../lib/logger';
import { backoffDelay, KAFKA_RECOVERY_BACKOFF } from '../../lib/retry/backoff';
import { sleep } from '../../lib/retry/retry-until-done';
import { EndTracker, onMarkerOnlyBatches } from './end-tracker';
import type { ReadonlyTable, TableSpec } from './processor';

export class GlobalTable<V> implements ReadonlyTable<V> {
  private readonly rows = new Map<string, V>();
  private consumer: Consumer | undefined;
  private readonly groupId: string;
  private stopped = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly spec: TableSpec<V>,
    owner: string,
    private readonly logger: Logger,
  ) {
    // a group of its own per instance: every instance reads every partition
    this.groupId = `${owner}-table-${spec.name}-${randomUUID()}`;
  }

  get(key: string): V | undefined {
    return this.rows.get(key);
  }

  size(): number {
    return this.rows.size;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const tracker = new EndTracker(await admin.fetchTopicOffsets(this.spec.topic));
    await admin.disconnect();

    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs restarts after a retriable crash; after any other the table would go stale unnoticed
      if (payload.restart || this.stopped) return;
      this.logger.warn({ table: this.spec.name, err: payload.error.message }, 'table consumer crashed for good; reading the table again with a new one');
      void this.restart();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.spec.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const reached = (partition: number, lastOffset: string) => {
        if (!tracker.reached(partition, lastOffset) || !tracker.done) return;
        this.logger.info({ table: this.spec.name, rows: this.rows.size }, 'table loaded');
        resolve();
      };
      if (tracker.done) resolve();
      onMarkerOnlyBatches(consumer, (_topic, partition, lastOffset) => reached(partition, lastOffset));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const key = message.key?.toString('utf8');
              if (key === undefined) continue;
              if (message.value === null) this.rows.delete(key);
              else {
                try {
                  this.rows.set(key, await this.spec.codec.decode(message.value));
                } catch (error) {
                  this.logger.warn({ table: this.spec.name, offset: message.offset, err: error }, 'table record cannot be decoded; skipped');
                }
              }
            }
            reached(batch.partition, batch.lastOffset());
          },
        })
        .catch(reject);
    });
  }

  /** A new consumer reads the table again from the start (replaying it in order ends at the same rows), after a pause. */
  private async restart(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      await sleep(backoffDelay(KAFKA_RECOVERY_BACKOFF, attempt));
      if (this.stopped) return;
      try {
        await this.consumer?.disconnect().catch(() => undefined);
        await this.start();
        return;
      } catch (error) {
        this.logger.warn({ table: this.spec.name, attempt: attempt + 1, err: error instanceof Error ? error.message : String(error) }, 'table not readable yet; retrying');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // an empty group expires on its own
    } finally {
      await admin.disconnect();
    }
  }
}
