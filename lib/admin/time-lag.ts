/**
 * Offset lag and time lag of a consumer group per partition. Time lag is the
 * age of the oldest record the group has not committed (0 when it has
 * committed everything), so it reads the same on a busy and a quiet topic.
 * Record timestamps are the producers' create times.
 */
import type { KafkaConfig } from '../config';
import type { Admin } from '../kafka/clients';
import type { Logger } from '../logger';
import { consumerLag, PartitionLag } from './consumer-lag';
import { LagLevel, lagLevel } from './lag-level';
import { positionKey, recordTimestamps } from './record-timestamps';

export interface PartitionTimeLag extends PartitionLag {
  readonly groupId: string;
  readonly timeLagMs: number;
  readonly level: LagLevel;
}

export async function groupTimeLag(kafka: KafkaConfig, admin: Admin, groupId: string, topics: readonly string[], logger: Logger): Promise<PartitionTimeLag[]> {
  const lags = await consumerLag(admin, groupId, topics);
  // the log start stands in for a partition the group never committed on
  const behind = lags.filter((l) => l.lag > 0).map((l) => ({ topic: l.topic, partition: l.partition, offset: l.committed ?? l.low }));
  const timestamps = await recordTimestamps(kafka, behind, logger);
  const now = Date.now();
  return lags.map((l) => {
    const oldest = l.lag > 0 ? timestamps.get(positionKey(l.topic, l.partition)) : undefined;
    const timeLagMs = oldest === undefined ? 0 : Math.max(0, now - oldest);
    return { ...l, groupId, timeLagMs, level: lagLevel(timeLagMs) };
  });
}
