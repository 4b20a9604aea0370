/**
 * Moving a consumer group's committed offsets: a plan (per partition, where
 * the group is and where it will be) that `--dry-run` prints, and applying
 * it. The broker refuses a reset while the group has members, so callers
 * check that first (consumer-groups.ts) to say why in plain words.
 */
import type { Admin } from 'kafkajs';
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

async function partitionRanges(admin: Admin, topic: string): Promise<PartitionRange[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) })).sort((a, b) => a.partition - b.partition);
}

async function targetOffsets(admin: Admin, topic: string, ranges: readonly PartitionRange[], target: ResetTarget): Promise<Map<number, number>> {
  switch (target.kind) {
    case 'earliest':
      return new Map(ranges.map((r) => [r.partition, r.low]));
    case 'latest':
      return new Map(ranges.map((r) => [r.partition, r.high]));
    case 'timestamp': {
      // kafkajs answers the end offset for a partition with no record at or after the time
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, target.ms);
      return new Map(found.map((o) => [o.partition, Number(o.offset)]));
    }
    case 'offsets':
      checkExplicitOffsets(topic, target.offsets, ranges);
      return new Map(target.offsets);
  }
}

/** What resetting `groupId` on `topics` to `target` would move; explicit offsets only move the partitions they name. */
export async function planOffsetReset(admin: Admin, groupId: string, topics: readonly string[], target: ResetTarget): Promise<OffsetMove[]> {
  const moves: OffsetMove[] = [];
  for (const topic of topics) {
    const ranges = await partitionRanges(admin, topic);
    if (ranges.length === 0) throw new Error(`topic ${topic} does not exist (scripts/topics lists and creates the pipeline's topics)`);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const targets = await targetOffsets(admin, topic, ranges, target);
    for (const { partition, low } of ranges) {
      const to = targets.get(partition);
      if (to === undefined) continue;
      const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const from = at >= 0 ? at : null;
      moves.push({ topic, partition, from, to, delta: (from ?? low) - to });
    }
  }
  return moves;
}

/** Commits the planned offsets for the group (one topic at a time, as the admin API takes them). */
export async function applyOffsetReset(admin: Admin, groupId: string, moves: readonly OffsetMove[]): Promise<void> {
  const byTopic = new Map<string, OffsetMove[]>();
  for (const move of moves) byTopic.set(move.topic, [...(byTopic.get(move.topic) ?? []), move]);
  for (const [topic, topicMoves] of byTopic) {
    await admin.setOffsets({ groupId, topic, partitions: topicMoves.map((m) => ({ partition: m.partition, offset: String(m.to) })) });
  }
}
