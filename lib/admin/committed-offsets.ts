/** A consumer group's committed offsets, as the admin API answers them. */
import type { Admin } from '../kafka/clients';

/**
 * Committed offsets by topic and partition, only where the group committed
 * one (the broker answers -1 for a partition it never committed on).
 */
export async function committedOffsets(admin: Admin, groupId: string): Promise<Map<string, Map<number, number>>> {
  const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] });
  const result = new Map<string, Map<number, number>>();
  for (const topic of group?.topics ?? []) {
    const partitions = new Map(topic.partitions.filter((p) => p.committedOffset >= 0n).map((p) => [p.partitionIndex, Number(p.committedOffset)]));
    if (partitions.size > 0) result.set(topic.name, partitions);
  }
  return result;
}
