/**
 * The Kafka timestamp of the record at given offsets: the first record a
 * lagging consumer has not committed yet, whose age is that consumer's time
 * lag. kafkajs cannot fetch without a group, so this joins a throwaway group
 * (deleted afterwards), seeks each partition and takes one record from each.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../logger';

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Prefix of the throwaway groups this module joins (listings leave them out: tool-groups.ts). */
export const TIMESTAMP_GROUP_PREFIX = 'streamfold-timestamps-';

export const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * Timestamps by positionKey. A position holding no committed record (only
 * transaction markers or aborted records up to the end) is absent from the
 * result once `waitMs` has passed: nothing is waiting there.
 */
export async function recordTimestamps(kafka: Kafka, positions: readonly RecordPosition[], logger: Logger, waitMs = 5_000): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (positions.length === 0) return found;
  const wanted = new Map(positions.map((p) => [positionKey(p.topic, p.partition), p.offset]));
  const topics = [...new Set(positions.map((p) => p.topic))];
  const groupId = `${TIMESTAMP_GROUP_PREFIX}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 64 * 1024, maxWaitTimeInMs: 100, readUncommitted: false });
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        timer ??= setTimeout(resolve, waitMs);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const key = positionKey(batch.topic, batch.partition);
            const offset = wanted.get(key);
            const record = offset === undefined ? undefined : batch.messages.find((m) => Number(m.offset) >= offset);
            if (offset !== undefined && record === undefined) return;
            if (record !== undefined) found.set(key, Number(record.timestamp));
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
            if (found.size === wanted.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const p of positions) consumer.seek({ topic: p.topic, partition: p.partition, offset: String(p.offset) });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      logger.debug({ groupId, err: error }, 'could not delete the timestamp reader group; the broker expires it');
    } finally {
      await admin.disconnect();
    }
  }
  return found;
}
