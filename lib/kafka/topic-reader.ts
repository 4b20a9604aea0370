/**
 * One-off reads of a topic's partitions from their log start to their end
 * (read_committed: the last stable offset) for tools and tests, with a
 * consumer of their own that never joins a group.
 */
import type { KafkaConfig } from '../config';
import type { Logger } from '../logger';
import { createConsumer, type Consumer } from './clients';
import type { FetchedRecord } from './partition-fetcher';
import { PartitionRangeReader } from './partition-range-reader';
import { topicPartitions } from './topic-metadata';

export interface ReadProgress {
  readonly partition: number;
  /** offsets covered so far (records, markers and aborted records) */
  readonly read: number;
  readonly total: number;
}

export interface ReadToEndOptions {
  readonly kafka: KafkaConfig;
  readonly logger: Logger;
  readonly clientId: string;
  readonly topic: string;
  /** Every partition of the topic when absent. */
  readonly partitions?: readonly number[];
  /** Stop before these offsets (exclusive) where they come before the end, e.g. from offsets-for-times. */
  readonly endOffsets?: ReadonlyMap<number, number>;
  onBatch(partition: number, records: readonly FetchedRecord[]): Promise<void> | void;
  onProgress?(progress: ReadProgress): void;
}

/**
 * A consumer that only reads partitions it is told to (it never joins its
 * group, so the group settings are placeholders).
 */
export function createReader(config: KafkaConfig, clientId: string): Consumer {
  return createConsumer(config, { clientId, groupId: clientId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, heartbeatIntervalMs: 3_000 });
}

/** Reads the topic's partitions (all of them at once); resolves with the number of records read. */
export async function readPartitionsToEnd(options: ReadToEndOptions): Promise<number> {
  const consumer = createReader(options.kafka, options.clientId);
  const reader = new PartitionRangeReader(consumer, options.logger, 16 * 1024 * 1024);
  try {
    const partitions = options.partitions ?? (await topicPartitions(consumer, options.topic));
    const counts = await Promise.all(
      partitions.map((partition) => {
        const until = options.endOffsets?.get(partition);
        return reader.read(
          options.topic,
          partition,
          {
            onRecords: (records) => options.onBatch(partition, records),
            onProgress: (progress) => options.onProgress?.({ partition, ...progress }),
          },
          until === undefined ? undefined : BigInt(until),
        );
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  } finally {
    await reader.close();
    await consumer.close();
  }
}

export type PartitionRecord = FetchedRecord & { readonly partition: number };

/** Every record readPartitionsToEnd reads, held in memory, one partition after the other (offset order within each). */
export async function readTopicRecords(options: Omit<ReadToEndOptions, 'onBatch'>): Promise<PartitionRecord[]> {
  const byPartition = new Map<number, PartitionRecord[]>();
  await readPartitionsToEnd({
    ...options,
    onBatch: (partition, records) => {
      const list = byPartition.get(partition) ?? [];
      for (const record of records) list.push({ ...record, partition });
      byPartition.set(partition, list);
    },
  });
  // the partitions are read together
  return [...byPartition].sort(([a], [b]) => a - b).flatMap(([, records]) => records);
}
