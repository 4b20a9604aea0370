/**
 * PartitionFetcher's staleness (lib/kafka/partition-fetcher.ts). No broker: the consumer is a fake
 * answering metadata and fetch from an in-memory log of one partition, enough for the fetch loop.
 */
import type { Consumer, RecordsBatch } from '@platformatic/kafka';
import { PartitionFetcher, type FetchedBatch } from '../../../lib/kafka/partition-fetcher';
import { createLogger } from '../../../lib/logger';

const TOPIC = 'events';
const TOPIC_ID = 'topic-id-1';
const LOG_END = 40n;

/** Ten records per fetch from the offset asked for, up to LOG_END. */
function fakeConsumer(): Consumer {
  const metadata = { topics: new Map([[TOPIC, { id: TOPIC_ID, partitionsCount: 1, partitions: [{ leader: 1 }] }]]) };
  const fetch = async ({ topics }: { topics: Array<{ partitions: Array<{ partition: number; fetchOffset: bigint }> }> }) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const from = topics[0]!.partitions[0]!.fetchOffset;
    const count = Number(LOG_END - from < 10n ? LOG_END - from : 10n);
    const batch = {
      firstOffset: from,
      lastOffsetDelta: count - 1,
      producerId: -1n,
      attributes: 0,
      firstTimestamp: 0n,
      records: Array.from({ length: count }, (_, i) => ({
        offsetDelta: i,
        timestampDelta: 0n,
        key: null,
        value: Buffer.from(String(from + BigInt(i))),
        headers: [],
      })),
    } as unknown as RecordsBatch;
    return {
      responses: [
        {
          topicId: TOPIC_ID,
          partitions: [
            { partitionIndex: 0, errorCode: 0, highWatermark: LOG_END, logStartOffset: 0n, abortedTransactions: null, records: count > 0 ? [batch] : [] },
          ],
        },
      ],
    };
  };
  return { metadata: async () => metadata, fetch } as unknown as Consumer;
}

test('a seek made while a delivered batch waits makes it stale (current() false), and reading goes on from the sought offset', async () => {
  const handled: Array<{ from: string; current: boolean }> = [];
  let sought = false;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const fetcher: PartitionFetcher = new PartitionFetcher({
    consumer: fakeConsumer(),
    logger: createLogger('test', 'silent'),
    onBatch: async (batch: FetchedBatch, current) => {
      // the owner's lock is held by a rollback that seeks back to 0 before this batch is looked at
      if (!sought && batch.records[0]?.offset === '10') {
        sought = true;
        fetcher.seek(TOPIC, 0, 0n);
      }
      handled.push({ from: batch.records[0]!.offset, current: current() });
      if (batch.nextOffset === String(LOG_END) && current()) finished();
    },
  });
  fetcher.assign(TOPIC, 0, 0n);
  fetcher.start();
  await done;
  await fetcher.stop();
  const firstStale = handled.findIndex((h) => !h.current);
  expect(handled[firstStale]).toEqual({ from: '10', current: false });
  // after the seek, the current batches read the log again from 0, contiguously, to its end
  const after = handled
    .slice(firstStale + 1)
    .filter((h) => h.current)
    .map((h) => h.from);
  expect(after).toEqual(['0', '10', '20', '30']);
});
