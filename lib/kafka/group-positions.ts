/**
 * Where a group member starts reading its partitions: the group's committed
 * offsets (committed without transactions, so no pending offsets to wait
 * for), or the log start where the group never committed, as
 * auto.offset.reset=earliest.
 */
import { ListOffsetTimestamps, type Consumer } from '@platformatic/kafka';
import type { AssignedPartition } from './group-membership';

export interface StartPosition extends AssignedPartition {
  readonly offset: bigint;
}

function byTopic(partitions: readonly AssignedPartition[]): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
  return topics;
}

export async function groupStartPositions(consumer: Consumer, partitions: readonly AssignedPartition[]): Promise<StartPosition[]> {
  if (partitions.length === 0) return [];
  const topics = byTopic(partitions);
  const committed = await consumer.listCommittedOffsets({ topics: [...topics].map(([topic, list]) => ({ topic, partitions: list })) });
  const positions = partitions.map(({ topic, partition }) => ({ topic, partition, offset: committed.get(topic)?.[partition] ?? -1n }));
  const never = positions.filter((p) => p.offset < 0n);
  if (never.length === 0) return positions;
  const neverByTopic = byTopic(never);
  const starts = await consumer.listOffsets({
    topics: [...neverByTopic.keys()],
    partitions: Object.fromEntries(neverByTopic),
    timestamp: ListOffsetTimestamps.EARLIEST,
  });
  return positions.map((p) => {
    if (p.offset >= 0n) return p;
    const start = starts.get(p.topic)?.[p.partition];
    // no answer for it: from 0, which the fetcher moves to the log start if the log no longer holds it
    return { ...p, offset: start !== undefined && start >= 0n ? start : 0n };
  });
}
