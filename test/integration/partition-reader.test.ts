/**
 * The changelog reader on a real broker: one consumer reads partitions one
 * at a time (seek, resume, pause), again when asked again, and stops at the
 * end of a transactional topic whose last records are commit markers.
 */
import type { KafkaMessage } from 'kafkajs';
import { producerDefaults } from '../../lib/clients/kafka';
import { PartitionReader } from '../../processors/runtime/partition-reader';
import { logger, uniqueName } from './support/env';
import { createTestPipeline, TestPipeline } from './support/pipeline';

jest.setTimeout(120_000);

let pipeline: TestPipeline;
beforeAll(async () => {
  pipeline = await createTestPipeline('reader');
});

/** Writes each partition's records in transactions of `perTransaction`, so the log ends with a commit marker. */
async function writeTransactionally(topic: string, perPartition: ReadonlyMap<number, number>, perTransaction: number): Promise<void> {
  const producer = pipeline.kafka.producer({ ...producerDefaults(), transactionalId: uniqueName('reader-writer') });
  await producer.connect();
  try {
    for (const [partition, count] of perPartition) {
      for (let first = 0; first < count; first += perTransaction) {
        const transaction = await producer.transaction();
        const messages = [];
        for (let i = first; i < Math.min(count, first + perTransaction); i += 1) messages.push({ key: `k-${partition}-${i}`, value: `v-${i}`, partition });
        await transaction.send({ topic, messages });
        await transaction.commit();
      }
    }
  } finally {
    await producer.disconnect();
  }
}

const keysOf = (messages: KafkaMessage[]) => messages.map((m) => m.key?.toString());

test('one reader reads partitions one by one, rereads on demand, and ends at a trailing commit marker', async () => {
  const topic = pipeline.topics.orderState;
  const other = pipeline.topics.pendingPayments;
  await writeTransactionally(topic, new Map([[0, 250], [3, 40]]), 100);
  await writeTransactionally(other, new Map([[1, 5]]), 5);
  const reader = new PartitionReader({ kafka: pipeline.kafka, topics: [topic, other], groupPrefix: uniqueName('reader'), logger });
  try {
    const read = async (from: string, partition: number) => {
      const seen: KafkaMessage[] = [];
      const count = await reader.read(from, partition, { onBatch: (p, messages) => void seen.push(...messages.map((m) => ({ ...m, partition: p }))) });
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
    await expect(reader.read('not-a-changelog', 0, { onBatch: () => undefined })).rejects.toThrow(/does not read not-a-changelog/);
  } finally {
    await reader.close();
  }
});
