/**
 * A compacted topic materialized in full on every instance and kept up to
 * date (like Kafka Streams' GlobalKTable): the latest value per key, a
 * tombstone removes the key. start() returns once the table caught up with
 * the topic's end at start time, so processing never sees a half-loaded
 * table. Every partition is read directly, without a consumer group; the
 * fetcher reconnects by itself when the broker goes away.
 */
import type { Consumer } from '../../lib/kafka/clients';
import { PartitionFetcher, type FetchedBatch } from '../../lib/kafka/partition-fetcher';
import { partitionBounds } from '../../lib/kafka/partition-bounds';
import { createReader } from '../../lib/kafka/topic-reader';
import type { KafkaConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { ReadonlyTable, TableSpec } from './processor';

export class GlobalTable<V> implements ReadonlyTable<V> {
  private readonly rows = new Map<string, V>();
  private readonly logger: Logger;
  private consumer: Consumer | undefined;
  private fetcher: PartitionFetcher | undefined;

  constructor(
    private readonly kafka: KafkaConfig,
    private readonly spec: TableSpec<V>,
    private readonly owner: string,
    logger: Logger,
  ) {
    this.logger = logger.child({ table: spec.name });
  }

  get(key: string): V | undefined {
    return this.rows.get(key);
  }

  size(): number {
    return this.rows.size;
  }

  async start(): Promise<void> {
    const consumer = createReader(this.kafka, `${this.owner}-table-${this.spec.name}`);
    this.consumer = consumer;
    try {
      const metadata = await consumer.metadata({ topics: [this.spec.topic] });
      const partitions = metadata.topics.get(this.spec.topic)?.partitionsCount ?? 0;
      const bounds = await partitionBounds(
        consumer,
        this.spec.topic,
        Array.from({ length: partitions }, (_, partition) => partition),
      );
      const ends = new Map<number, bigint>();
      const starts = new Map<number, bigint>();
      for (const [partition, { start, end }] of bounds) {
        starts.set(partition, start);
        if (end > start) ends.set(partition, end);
      }
      await new Promise<void>((resolve, reject) => {
        const loaded = () => {
          if (ends.size > 0) return;
          this.logger.info({ rows: this.rows.size }, 'table loaded');
          resolve();
        };
        const fetcher = new PartitionFetcher({
          consumer,
          logger: this.logger,
          maxWaitMs: 200,
          onBatch: async (batch) => {
            await this.apply(batch);
            const end = ends.get(batch.partition);
            if (end !== undefined && BigInt(batch.nextOffset) >= end) {
              ends.delete(batch.partition);
              loaded();
            }
          },
        });
        this.fetcher = fetcher;
        for (const [partition, start] of starts) fetcher.assign(this.spec.topic, partition, start);
        fetcher.start();
        loaded();
        fetcher.done().catch(reject);
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  private async apply(batch: FetchedBatch): Promise<void> {
    for (const record of batch.records) {
      const key = record.key?.toString('utf8');
      if (key === undefined) continue;
      if (record.value === null) {
        this.rows.delete(key);
        continue;
      }
      try {
        this.rows.set(key, await this.spec.codec.decode(record.value));
      } catch (error) {
        this.logger.warn({ offset: record.offset, partition: batch.partition, err: error }, 'table record cannot be decoded; skipped');
      }
    }
  }

  async stop(): Promise<void> {
    await this.fetcher?.stop().catch(() => undefined);
    await this.consumer?.close(true).catch(() => undefined);
  }
}
