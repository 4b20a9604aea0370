/**
 * Offset lag of a consumer group: per partition of the topics it reads, the
 * log end minus the group's committed offset (a partition the group never
 * committed counts from the log start).
 */
import type { Admin } from 'kafkajs';

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
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    const [offsets, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    for (const { partition, high, low } of offsets) {
      const at = committed?.partitions.find((p) => p.partition === partition)?.offset;
      const position = at === undefined || Number(at) < 0 ? null : Number(at);
      lags.push({ topic, partition, committed: position, low: Number(low), end: Number(high), lag: Number(high) - (position ?? Number(low)) });
    }
  }
  return lags;
}

export function totalLag(lags: readonly PartitionLag[]): number {
  return lags.reduce((sum, l) => sum + Math.max(0, l.lag), 0);
}
