/**
 * The baseline of the processor and sink benchmarks: the project's Kafka
 * client (@platformatic/kafka, through the runtime's fetch loop in lib/kafka)
 * reading the same topics from their start, read_committed, with the fetch
 * settings of the service compared, doing nothing with the records (no
 * decoding, no commits). Timed from the partitions' assignment to the last
 * record, so group coordination counts on neither side (no group is joined
 * here; a service's clock starts after its join).
 */
import { randomUUID } from 'node:crypto';
import type { KafkaConfig } from '../config';
import { ListOffsetTimestamps } from '../kafka/clients';
import { PartitionFetcher } from '../kafka/partition-fetcher';
import { createReader } from '../kafka/topic-reader';
import type { Logger } from '../logger';

export interface ConsumeTiming {
  readonly records: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU this process used meanwhile (user + system, all threads), seconds. */
  readonly nodeCpu: number;
}

/** The fetch settings of the service the baseline stands beside (the fetch loop's own defaults otherwise). */
export interface RawFetchSettings {
  readonly maxWaitMs?: number;
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
}

export async function rawConsume(
  kafka: KafkaConfig,
  topics: readonly string[],
  expected: number,
  logger: Logger,
  fetch: RawFetchSettings = {},
): Promise<ConsumeTiming> {
  const consumer = createReader(kafka, `bench-raw-${randomUUID()}`);
  let count = 0;
  let finished: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  const fetcher = new PartitionFetcher({
    consumer,
    logger,
    ...fetch,
    onBatch: (batch) => {
      count += batch.records.length;
      if (count >= expected) finished(performance.now());
    },
  });
  try {
    const starts = await consumer.listOffsets({ topics: [...topics], timestamp: ListOffsetTimestamps.EARLIEST });
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    for (const [topic, offsets] of starts) offsets.forEach((offset, partition) => fetcher.assign(topic, partition, offset));
    fetcher.start();
    const finishedAt = await Promise.race([done, fetcher.done().then(() => Promise.reject(new Error('the raw read stopped before the end')))]);
    const cpu = process.cpuUsage(cpuAtStart);
    const seconds = (finishedAt - startedAt) / 1000;
    return { records: count, seconds, perSecond: count / seconds, nodeCpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await fetcher.stop().catch(() => undefined);
    await consumer.close(true);
  }
}
