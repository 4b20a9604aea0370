/** A topic's partitions' log starts and last stable offsets, in two ListOffsets requests. */
import { FetchIsolationLevels, ListOffsetTimestamps, type Consumer } from '@platformatic/kafka';

export interface PartitionBounds {
  readonly start: bigint;
  /** The last stable offset (read_committed): nothing at or past it is readable yet. */
  readonly end: bigint;
}

export async function partitionBounds(consumer: Consumer, topic: string, partitions: readonly number[]): Promise<Map<number, PartitionBounds>> {
  const bounds = new Map<number, PartitionBounds>();
  if (partitions.length === 0) return bounds;
  const request = { topics: [topic], partitions: { [topic]: [...partitions] } };
  const [starts, ends] = await Promise.all([
    consumer.listOffsets({ ...request, timestamp: ListOffsetTimestamps.EARLIEST }),
    consumer.listOffsets({ ...request, timestamp: ListOffsetTimestamps.LATEST, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
  ]);
  for (const partition of partitions) {
    const start = starts.get(topic)?.[partition];
    const end = ends.get(topic)?.[partition];
    if (start === undefined || end === undefined) throw new Error(`${topic} has no partition ${partition}`);
    bounds.set(partition, { start, end });
  }
  return bounds;
}
