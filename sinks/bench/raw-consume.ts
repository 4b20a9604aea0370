/**
 * The baseline of a sink benchmark: the project's Kafka client
 * (@platformatic/kafka, through the runtime's fetch loop in lib/kafka)
 * reading the same topics with the same fetch settings as the sink engine,
 * read_committed, doing nothing with the records (no decoding, no commits).
 * Timed from the partitions' assignment to the last record, so group
 * coordination counts on neither side (no group is joined here; the sink's
 * clock starts after its join).
 */
import { randomUUID } from 'node:crypto';
import type { KafkaConfig } from '../../lib/config';
import { createConsumer } from '../../lib/kafka/clients';
import { PartitionFetcher } from '../../lib/kafka/partition-fetcher';
import type { Logger } from '../../lib/logger';
import { DEFAULT_SINK_FETCH } from '../runtime/sink-engine';

export interface ConsumeTiming {
  readonly records: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU this process used meanwhile (user + system, all threads), seconds. */
  readonly nodeCpu: number;
}

/** ListOffsets' timestamp for a partition's log start. */
const EARLIEST = -2n;

export async function rawConsume(kafka: KafkaConfig, topics: readonly string[], expected: number, groupPrefix: string, logger: Logger): Promise<ConsumeTiming> {
  // never joins its group: the id only names the client's requests
  const group = `${groupPrefix}raw-${randomUUID()}`;
  const consumer = createConsumer(kafka, { clientId: group, groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, heartbeatIntervalMs: 3_000 });
  let count = 0;
  let finished: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  const fetcher = new PartitionFetcher({
    consumer,
    logger,
    maxWaitMs: DEFAULT_SINK_FETCH.maxWaitTimeInMs,
    maxBytesPerPartition: DEFAULT_SINK_FETCH.maxBytesPerPartition,
    maxBytes: DEFAULT_SINK_FETCH.maxBytes,
    onBatch: (batch) => {
      count += batch.records.length;
      if (count >= expected) finished(performance.now());
    },
  });
  try {
    const starts = await consumer.listOffsets({ topics: [...topics], timestamp: EARLIEST });
    const startedAt = performance.now();
    const cpuAtStart = process.cpuUsage();
    for (const [topic, offsets] of starts) offsets.forEach((offset, partition) => fetcher.assign(topic, partition, offset));
    fetcher.start();
    const finishedAt = await done;
    const cpu = process.cpuUsage(cpuAtStart);
    const seconds = (finishedAt - startedAt) / 1000;
    return { records: count, seconds, perSecond: count / seconds, nodeCpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await fetcher.stop().catch(() => undefined);
    await consumer.close(true);
  }
}
