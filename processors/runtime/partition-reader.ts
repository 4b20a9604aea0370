/**
 * Reads chosen partitions of a topic from the beginning up to their end at
 * the time of the call (read_committed, so the end is the last stable
 * offset), batch by batch. Restores and table catch-ups use it.
 *
 * kafkajs has no manual partition assignment, so this joins a throwaway
 * consumer group of its own (deleted afterwards), pauses the partitions it
 * does not need, and stops when every wanted partition reached its end.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../lib/logger';
import { EndTracker, onMarkerOnlyBatches } from './end-tracker';

export interface ReadProgress {
  readonly partition: number;
  readonly read: number;
  readonly total: number;
}

export interface PartitionReadOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** undefined: every partition */
  readonly partitions?: readonly number[];
  readonly groupPrefix: string;
  /** Stop before these offsets (exclusive) where they come before the log end, e.g. from offsets-for-times. */
  readonly endOffsets?: ReadonlyMap<number, number>;
  readonly logger: Logger;
  onBatch(partition: number, messages: KafkaMessage[]): Promise<void> | void;
  onProgress?(progress: ReadProgress): void;
  /** Called while a long read runs, so an outer consumer can heartbeat. */
  keepAlive?(): Promise<void>;
}

export async function readPartitionsToEnd(options: PartitionReadOptions): Promise<number> {
  const { kafka, topic, logger } = options;
  const admin = kafka.admin();
  await admin.connect();
  let tracker: EndTracker;
  let lows: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const wanted = new Set(options.partitions ?? offsets.map((o) => o.partition));
    const ranges = offsets
      .filter((o) => wanted.has(o.partition))
      .map((o) => {
        const bound = options.endOffsets?.get(o.partition);
        return bound === undefined || bound >= Number(o.high) ? o : { ...o, high: String(Math.max(bound, Number(o.low))) };
      });
    tracker = new EndTracker(ranges);
    lows = new Map(ranges.map((o) => [o.partition, Number(o.low)]));
  } finally {
    await admin.disconnect();
  }
  if (tracker.done) return 0;

  const groupId = `${options.groupPrefix}-reader-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxWaitTimeInMs: 50,
    readUncommitted: false,
  });
  let total = 0;
  const readPerPartition = new Map<number, number>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const reached = (partition: number, lastOffset: string) => {
        if (!tracker.reached(partition, lastOffset)) return;
        consumer.pause([{ topic, partitions: [partition] }]);
        if (tracker.done) resolve();
      };
      onMarkerOnlyBatches(consumer, (_topic, partition, lastOffset) => reached(partition, lastOffset));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const { partition } = batch;
            const end = tracker.endOf(partition);
            if (end === undefined) {
              consumer.pause([{ topic, partitions: [partition] }]);
              return;
            }
            const messages = batch.messages.filter((m) => Number(m.offset) < end);
            if (messages.length > 0) await options.onBatch(partition, messages);
            const read = (readPerPartition.get(partition) ?? 0) + messages.length;
            readPerPartition.set(partition, read);
            total += messages.length;
            options.onProgress?.({ partition, read, total: end - (lows.get(partition) ?? 0) });
            await options.keepAlive?.();
            reached(partition, batch.lastOffset());
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await deleteGroup(kafka, groupId, logger);
  }
  return total;
}

async function deleteGroup(kafka: Kafka, groupId: string, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch (error) {
    // a leftover empty group is harmless; the broker expires it
    logger.debug({ groupId, err: error }, 'could not delete the reader group');
  } finally {
    await admin.disconnect();
  }
}
