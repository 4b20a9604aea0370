/**
 * Moving a consumer group's committed offsets: a plan (per partition, where
 * the group is and where it will be) that `--dry-run` prints, and applying
 * it. The broker refuses a reset while the group has members, so callers
 * check that first (consumer-groups.ts) to say why in plain words.
 */
import type { Admin } from '../kafka/clients';
import { offsetsAtTime, topicOffsets } from '../kafka/topic-offsets';
import { committedOffsets } from './committed-offsets';
import { checkExplicitOffsets, PartitionRange, ResetTarget } from './reset-target';

export interface OffsetMove {
  readonly topic: string;
  readonly partition: number;
  /** committed offset now; null when the group never committed on this partition */
  readonly from: number | null;
  readonly to: number;
  /** records the group will read again (positive) or skip (negative) */
  readonly delta: number;
}

async function targetOffsets(admin: Admin, topic: string, ranges: readonly PartitionRange[], target: ResetTarget): Promise<Map<number, number>> {
  switch (target.kind) {
    case 'earliest':
      return new Map(ranges.map((r) => [r.partition, r.low]));
    case 'latest':
      return new Map(ranges.map((r) => [r.partition, r.high]));
    case 'timestamp':
      // the end offset for a partition with no record at or after the time
      return offsetsAtTime(admin, topic, target.ms);
    case 'offsets':
      checkExplicitOffsets(topic, target.offsets, ranges);
      return new Map(target.offsets);
  }
}

/** What resetting `groupId` on `topics` to `target` would move; explicit offsets only move the partitions they name. */
export async function planOffsetReset(admin: Admin, groupId: string, topics: readonly string[], target: ResetTarget): Promise<OffsetMove[]> {
  const moves: OffsetMove[] = [];
  const committed = await committedOffsets(admin, groupId);
  for (const topic of topics) {
    const ranges = await topicOffsets(admin, topic);
    const targets = await targetOffsets(admin, topic, ranges, target);
    for (const { partition, low } of ranges) {
      const to = targets.get(partition);
      if (to === undefined) continue;
      const from = committed.get(topic)?.get(partition) ?? null;
      moves.push({ topic, partition, from, to, delta: (from ?? low) - to });
    }
  }
  return moves;
}

/** Commits the planned offsets for the group. */
export async function applyOffsetReset(admin: Admin, groupId: string, moves: readonly OffsetMove[]): Promise<void> {
  if (moves.length === 0) return;
  const byTopic = new Map<string, OffsetMove[]>();
  for (const move of moves) byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), move]);
  await admin.alterConsumerGroupOffsets({
    groupId,
    topics: [...byTopic].map(([name, topicMoves]) => ({ name, partitionOffsets: topicMoves.map((m) => ({ partition: m.partition, offset: BigInt(m.to) })) })),
  });
}
