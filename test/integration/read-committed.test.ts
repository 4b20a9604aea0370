/**
 * read_committed on the real broker: records of aborted transactions never
 * reach a consumer, also when transactions of several producers interleave
 * on one partition and are aborted in another order than they began (the
 * broker lists aborted transactions by where they ended, so a reader must
 * order them by where they began). Every processor input that another
 * processor writes transactionally (customer.activity, changelogs,
 * orders.state) relies on it: several tasks write each of their partitions,
 * and a fault aborts their transactions together.
 */
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { config, logger, uniqueName } from './support/env';
import { readAll, TestPipeline } from './support/pipeline';
import { registryCodec } from '../../processors/runtime/registry-codec';
import { topicNames } from '../../lib/topics';

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

test('records of interleaved transactions aborted in another order than they began are not read; committed ones are', async () => {
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
    const c = await third.transaction();
    await send(c, 'committed-c-1');
    await c.commit();
  } finally {
    for (const producer of [first, second, third]) await producer.disconnect();
  }
  const pipeline: TestPipeline = { prefix: '', topics: topicNames(''), kafka, codec: registryCodec(config, logger) };
  const read = (await readAll(pipeline, topic)).map((m) => m.value?.toString('utf8'));
  expect(read).toEqual(['committed-c-1']);
});
