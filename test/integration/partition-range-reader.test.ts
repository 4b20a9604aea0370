/**
 * The changelog reader (lib/kafka/partition-range-reader.ts) on a real
 * broker: one reader reads partitions one at a time, several at once, again
 * when asked again, and stops at the end of a transactional topic whose last
 * records are commit markers.
 */
import { createConsumer, createTransactionalProducer } from '../../lib/kafka/clients';
import type { FetchedRecord } from '../../lib/kafka/partition-fetcher';
import { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';
import { logger, uniqueName } from './support/env';
import { createTestPipeline, TestPipeline } from './support/pipeline';

jest.setTimeout(120_000);

let pipeline: TestPipeline;
beforeAll(async () => {
  pipeline = await createTestPipeline('reader');
});

/** Writes each partition's records in transactions of `perTransaction`, so the log ends with a commit marker. */
async function writeTransactionally(topic: string, perPartition: ReadonlyMap<number, number>, perTransaction: number): Promise<void> {
  const id = uniqueName('reader-writer');
  const producer = createTransactionalProducer(pipeline.kafkaConfig, id, id, 30_000);
  try {
    for (const [partition, count] of perPartition) {
      for (let first = 0; first < count; first += perTransaction) {
        const transaction = await producer.beginTransaction();
        const messages = [];
        for (let i = first; i < Math.min(count, first + perTransaction); i += 1)
          messages.push({ topic, key: Buffer.from(`k-${partition}-${i}`), value: Buffer.from(`v-${i}`), partition });
        await transaction.send({ messages });
        await transaction.commit();
      }
    }
  } finally {
    await producer.close();
  }
}

const keysOf = (records: FetchedRecord[]) => records.map((r) => r.key?.toString());

test('one reader reads partitions one by one, rereads on demand, and ends at a trailing commit marker', async () => {
  const topic = pipeline.topics.orderState;
  const other = pipeline.topics.pendingPayments;
  await writeTransactionally(
    topic,
    new Map([
      [0, 250],
      [3, 40],
    ]),
    100,
  );
  await writeTransactionally(other, new Map([[1, 5]]), 5);
  const consumer = createConsumer(pipeline.kafkaConfig, {
    clientId: uniqueName('reader'),
    groupId: uniqueName('reader'),
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    heartbeatIntervalMs: 1_000,
  });
  const reader = new PartitionRangeReader(consumer, logger);
  try {
    const read = async (from: string, partition: number) => {
      const seen: FetchedRecord[] = [];
      const count = await reader.read(from, partition, { onRecords: (records) => void seen.push(...records) });
      expect(count).toBe(seen.length);
      return seen;
    };
    expect(keysOf(await read(topic, 0))).toEqual(Array.from({ length: 250 }, (_, i) => `k-0-${i}`));
    expect(await read(topic, 1)).toEqual([]); // empty: no fetch at all
    expect(keysOf(await read(other, 1))).toEqual(['k-1-0', 'k-1-1', 'k-1-2', 'k-1-3', 'k-1-4']);
    // two partitions at once, then one read again from its start
    const [three, zero] = await Promise.all([read(topic, 3), read(topic, 0)]);
    expect(keysOf(three)).toEqual(Array.from({ length: 40 }, (_, i) => `k-3-${i}`));
    expect(zero).toHaveLength(250);
    // a partition the topic does not have is refused, not waited for
    await expect(reader.read(topic, 99, { onRecords: () => undefined })).rejects.toThrow();
  } finally {
    await reader.close();
    await consumer.close(true);
  }
});
