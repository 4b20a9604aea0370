/**
 * Offset lag of a consumer group: per partition of the topics it reads, the
 * log end minus the group's committed offset (a partition the group never
 * committed counts from the log start).
 */
import type { Admin } from '../kafka/clients';
import { topicOffsets } from '../kafka/topic-offsets';
import { committedOffsets } from './committed-offsets';

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly committed: number | null;
  /** log start offset: where a group that never committed starts */
  readonly low: number;
  readonly end: number;
  readonly lag: number;
}

export async function consumerLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const committed = await committedOffsets(admin, groupId);
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    for (const { partition, high, low } of await topicOffsets(admin, topic)) {
      const position = committed.get(topic)?.get(partition) ?? null;
      lags.push({ topic, partition, committed: position, low, end: high, lag: high - (position ?? low) });
    }
  }
  return lags;
}

export function totalLag(lags: readonly PartitionLag[]): number {
  return lags.reduce((sum, l) => sum + Math.max(0, l.lag), 0);
}
