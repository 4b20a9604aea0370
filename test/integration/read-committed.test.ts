/**
 * read_committed on the real broker: records of aborted transactions never
 * reach a consumer, also when transactions of several producers interleave
 * on one partition and are aborted in another order than they began (the
 * broker lists aborted transactions by where they ended, so a reader must
 * order them by where they began). Every processor input that another
 * processor writes transactionally (customer.activity, changelogs,
 * orders.state) relies on it: several tasks write each of their partitions,
 * and a fault aborts their transactions together. One producer may also
 * abort several transactions with committed ones between them (the
 * instance's single producer under EOS v2). The test harness's reader
 * (readAll) and the runtime's own (lib/kafka) must both read exactly the
 * committed records.
 */
import { createTopicsAndWait } from '../../lib/admin/create-topics';
import { createConsumer, createTransactionalProducer, type RecordProducer } from '../../lib/kafka/clients';
import { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';
import { topicNames } from '../../lib/topics';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { config, logger, uniqueName } from './support/env';
import { readAll, TestPipeline, withAdmin } from './support/pipeline';

const topic = uniqueName('read-committed');

afterAll(async () => {
  await withAdmin(config.kafka, (admin) => admin.deleteTopics({ topics: [topic] }).catch(() => undefined));
});

function transactional(id: string): RecordProducer {
  return createTransactionalProducer(config.kafka, `${topic}-${id}`, `${topic}-${id}`, 30_000);
}

const COMMITTED = ['committed-c-1', 'committed-c-2'];

beforeAll(async () => {
  await withAdmin(config.kafka, (admin) => createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]));
  const [first, second, third] = [transactional('a'), transactional('b'), transactional('c')];
  try {
    const send = (txn: Awaited<ReturnType<RecordProducer['beginTransaction']>>, value: string) =>
      txn.send({ messages: [{ topic, key: Buffer.from(value), value: Buffer.from(value) }] });
    // a begins first, b second; b is aborted before a
    const a = await first.beginTransaction();
    await send(a, 'aborted-a-1');
    const b = await second.beginTransaction();
    await send(b, 'aborted-b-1');
    await send(a, 'aborted-a-2');
    await send(b, 'aborted-b-2');
    await b.abort();
    await send(a, 'aborted-a-3');
    await a.abort();
    // one producer: aborted, committed, aborted, committed
    for (const [value, commit] of [
      ['aborted-c-1', false],
      ['committed-c-1', true],
      ['aborted-c-2', false],
      ['committed-c-2', true],
    ] as const) {
      const c = await third.beginTransaction();
      await send(c, value);
      await (commit ? c.commit() : c.abort());
    }
  } finally {
    for (const producer of [first, second, third]) await producer.close();
  }
});

test('the test harness reads only the committed records of interleaved and repeatedly aborted transactions', async () => {
  const pipeline: TestPipeline = { prefix: '', topics: topicNames(''), kafkaConfig: config.kafka, codec: registryCodec(config, logger) };
  const read = (await readAll(pipeline, topic)).map((m) => m.value?.toString('utf8'));
  expect(read).toEqual(COMMITTED);
});

// one batch per response too: an aborted transaction's records and its marker then come in different responses
test.each([
  ['whole', undefined],
  ['one batch per response', 1],
])("the runtime's reader (%s) reads only the committed records of interleaved and repeatedly aborted transactions", async (_name, maxBytes) => {
  const consumer = createConsumer(config.kafka, {
    clientId: 'read-committed-test',
    groupId: `${topic}-reader`,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    heartbeatIntervalMs: 1_000,
  });
  const reader = new PartitionRangeReader(consumer, logger, maxBytes);
  try {
    const read: string[] = [];
    const count = await reader.read(topic, 0, { onRecords: (records) => void read.push(...records.map((r) => r.value?.toString('utf8') ?? '')) });
    expect(read).toEqual(COMMITTED);
    expect(count).toBe(COMMITTED.length);
  } finally {
    await reader.close();
    await consumer.close(true);
  }
});
