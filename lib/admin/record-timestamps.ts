/**
 * The Kafka timestamp of the record at given offsets: the first record a
 * lagging consumer has not committed yet, whose age is that consumer's time
 * lag. A consumer that never joins a group fetches one batch at each
 * position.
 */
import type { KafkaConfig } from '../config';
import { PartitionFetcher } from '../kafka/partition-fetcher';
import { createReader } from '../kafka/topic-reader';
import type { Logger } from '../logger';

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * Timestamps by positionKey. A position holding no committed record (only
 * transaction markers or aborted records up to the end) is absent from the
 * result once `waitMs` has passed: nothing is waiting there.
 */
export async function recordTimestamps(kafka: KafkaConfig, positions: readonly RecordPosition[], logger: Logger, waitMs = 5_000): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (positions.length === 0) return found;
  const consumer = createReader(kafka, 'streamfold-timestamps');
  let allFound: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allFound = resolve;
  });
  const fetcher = new PartitionFetcher({
    consumer,
    logger,
    maxBytesPerPartition: 64 * 1024,
    onBatch: (batch) => {
      // the fetcher hands over records from the position on; an empty batch (markers, aborted data) reads on
      const record = batch.records[0];
      if (record === undefined) return;
      found.set(positionKey(batch.topic, batch.partition), record.timestamp);
      fetcher.release(batch.topic, batch.partition);
      if (found.size === positions.length) allFound();
    },
  });
  for (const p of positions) fetcher.assign(p.topic, p.partition, BigInt(p.offset));
  let timer: NodeJS.Timeout | undefined;
  try {
    fetcher.start();
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))), fetcher.done()]);
  } finally {
    clearTimeout(timer);
    fetcher.releaseAll();
    await fetcher.stop();
    await consumer.close();
  }
  return found;
}
