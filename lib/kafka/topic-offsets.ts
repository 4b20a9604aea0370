/**
 * Offsets of a topic's partitions as the operations tools read them: log
 * start and end (read_committed, so the end is the last stable offset: an
 * open transaction's records are not yet "in" the topic), and the first
 * offset at or after a time.
 */
import { FetchIsolationLevels, ListOffsetTimestamps, type Admin } from '@platformatic/kafka';
import { topicPartitions } from './topic-metadata';

export interface PartitionOffsets {
  readonly partition: number;
  /** log start offset */
  readonly low: number;
  /** last stable offset: where a read_committed reader ends */
  readonly high: number;
}

/** The offset ListOffsets answers for `timestamp` (a time, or EARLIEST/LATEST), per partition; -1 where no record is at or after the time. */
async function listedOffsets(admin: Admin, topic: string, partitions: readonly number[], timestamp: bigint): Promise<Map<number, number>> {
  if (partitions.length === 0) return new Map();
  const [listed] = await admin.listOffsets({
    topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
}

/** Log start and last stable offset of every partition of the topic, by partition (throws for a topic that does not exist). */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const partitions = await topicPartitions(admin, topic);
  const [lows, highs] = await Promise.all([
    listedOffsets(admin, topic, partitions, ListOffsetTimestamps.EARLIEST),
    listedOffsets(admin, topic, partitions, ListOffsetTimestamps.LATEST),
  ]);
  return partitions.map((partition) => ({ partition, low: lows.get(partition) ?? 0, high: highs.get(partition) ?? 0 }));
}

/** The broker's offsets-for-times answer per partition: the first offset whose record timestamp is at or after `ms`, -1 where no record is. */
export async function offsetsForTime(admin: Admin, topic: string, ms: number): Promise<Map<number, number>> {
  return listedOffsets(admin, topic, await topicPartitions(admin, topic), BigInt(ms));
}

/**
 * Per partition, the offset of the first record at or after `ms`; the end
 * offset where no record is that recent, so a group moved there reads only
 * what comes next (kafkajs's fetchTopicOffsetsByTimestamp answered the same).
 */
export async function offsetsAtTime(admin: Admin, topic: string, ms: number): Promise<Map<number, number>> {
  const partitions = await topicPartitions(admin, topic);
  const [found, ends] = await Promise.all([
    listedOffsets(admin, topic, partitions, BigInt(ms)),
    listedOffsets(admin, topic, partitions, ListOffsetTimestamps.LATEST),
  ]);
  return new Map(
    partitions.map((partition) => {
      const offset = found.get(partition) ?? -1;
      return [partition, offset >= 0 ? offset : (ends.get(partition) ?? 0)];
    }),
  );
}
