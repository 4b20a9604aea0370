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
 * (kafkajs) and the runtime's own (lib/kafka) must both read exactly the
 * committed records.
 */
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { config, logger, uniqueName } from './support/env';
import { readAll, TestPipeline } from './support/pipeline';
import { registryCodec } from '../../processors/runtime/registry-codec';
import { topicNames } from '../../lib/topics';
import { createConsumer } from '../../lib/kafka/clients';
import { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';

const kafka = createKafka(config.kafka, logger);
const topic = uniqueName('read-committed');

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

function transactional(id: string) {
  return kafka.producer({ ...producerDefaults(), transactionalId: `${topic}-${id}`, maxInFlightRequests: 1 });
}

const COMMITTED = ['committed-c-1', 'committed-c-2'];

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const [first, second, third] = [transactional('a'), transactional('b'), transactional('c')];
  for (const producer of [first, second, third]) await producer.connect();
  try {
    const send = (txn: Awaited<ReturnType<typeof first.transaction>>, value: string) => txn.send({ topic, messages: [{ key: value, value }] });
    // a begins first, b second; b is aborted before a
    const a = await first.transaction();
    await send(a, 'aborted-a-1');
    const b = await second.transaction();
    await send(b, 'aborted-b-1');
    await send(a, 'aborted-a-2');
    await send(b, 'aborted-b-2');
    await b.abort();
    await send(a, 'aborted-a-3');
    await a.abort();
    // one producer: aborted, committed, aborted, committed
    for (const [value, commit] of [['aborted-c-1', false], ['committed-c-1', true], ['aborted-c-2', false], ['committed-c-2', true]] as const) {
      const c = await third.transaction();
      await send(c, value);
      await (commit ? c.commit() : c.abort());
    }
  } finally {
    for (const producer of [first, second, third]) await producer.disconnect();
  }
});

test('the test harness reads only the committed records of interleaved and repeatedly aborted transactions', async () => {
  const pipeline: TestPipeline = { prefix: '', topics: topicNames(''), kafka, kafkaConfig: config.kafka, codec: registryCodec(config, logger) };
  const read = (await readAll(pipeline, topic)).map((m) => m.value?.toString('utf8'));
  expect(read).toEqual(COMMITTED);
});

// one batch per response too: an aborted transaction's records and its marker then come in different responses
test.each([['whole', undefined], ['one batch per response', 1]])("the runtime's reader (%s) reads only the committed records of interleaved and repeatedly aborted transactions", async (_name, maxBytes) => {
  const consumer = createConsumer(config.kafka, { clientId: 'read-committed-test', groupId: `${topic}-reader`, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, heartbeatIntervalMs: 1_000 });
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
