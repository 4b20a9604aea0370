/**
 * kafkajs against the project's Kafka: topics (one compacted), a consumer
 * group, committed and aborted transactions seen by a read_committed
 * consumer, and offsets reset through the admin client.
 */
import { Admin, ConfigResourceTypes, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { config, logger, uniqueName } from './support/env';
import { createTopicsAndWait } from '../../lib/admin/create-topics';

const kafka: Kafka = createKafka(config.kafka, logger);
let admin: Admin;
const consumers: Consumer[] = [];

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await admin.disconnect();
});

/** Consumes from the beginning until `count` messages arrived (or the timeout hits). */
async function consume(
  topic: string,
  count: number,
  options: { groupId?: string; readUncommitted?: boolean; settleMs?: number } = {},
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName('group'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: KafkaMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`got ${received.length} of ${count} messages from ${topic}`)), 30_000);
    let settle: NodeJS.Timeout | undefined;
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push(message);
          if (received.length >= count) {
            // wait a little longer so that unexpected extra messages are caught too
            clearTimeout(settle);
            settle = setTimeout(() => {
              clearTimeout(timeout);
              resolve();
            }, options.settleMs ?? 500);
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

test('creates topics, one of them compacted', async () => {
  const plain = uniqueName('plain');
  const compacted = uniqueName('compacted');
  await createTopicsAndWait(admin, [
      { topic: plain, numPartitions: 3 },
      { topic: compacted, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);

  const metadata = await admin.fetchTopicMetadata({ topics: [plain, compacted] });
  const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
  expect(partitions).toEqual({ [plain]: 3, [compacted]: 2 });

  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] }],
  });
  expect(described.resources[0]?.configEntries[0]?.configValue).toBe('compact');
});

test('produces keyed messages and consumes them with a consumer group', async () => {
  const topic = uniqueName('group');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 3 }]);
  const producer = kafka.producer(producerDefaults());
  await producer.connect();
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `order-${i % 5}`, value: `event-${i}` }));
  await producer.send({ topic, messages: sent });
  await producer.disconnect();

  const groupId = uniqueName('readers');
  const received = await consume(topic, sent.length, { groupId });
  expect(received.map((m) => m.value?.toString()).sort()).toEqual(sent.map((m) => m.value).sort());

  // per-key order is kept: one key's events arrive in the order they were produced
  const forKey = received.filter((m) => m.key?.toString() === 'order-1').map((m) => m.value?.toString());
  expect(forKey).toEqual(sent.filter((m) => m.key === 'order-1').map((m) => m.value));

  // the group committed its position at the end of each partition
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const total = committed?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  expect(total).toBe(sent.length);
});

test('a committed transaction is visible to read_committed consumers, an aborted one is not', async () => {
  const topic = uniqueName('tx');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
  const producer = kafka.producer({ ...producerDefaults(), transactionalId: uniqueName('txid') });
  await producer.connect();

  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted-1' }, { key: 'k', value: 'aborted-2' }] });
  await aborted.abort();

  const committed = await producer.transaction();
  await committed.send({ topic, messages: [{ key: 'k', value: 'committed-1' }, { key: 'k', value: 'committed-2' }] });
  await committed.commit();
  await producer.disconnect();

  const readCommitted = await consume(topic, 2, { settleMs: 1500 });
  expect(readCommitted.map((m) => m.value?.toString())).toEqual(['committed-1', 'committed-2']);

  // the aborted records are in the log: an uncommitted reader does see them
  const readUncommitted = await consume(topic, 4, { readUncommitted: true });
  expect(readUncommitted.map((m) => m.value?.toString())).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2']);
});

test('the admin client resets a group to the earliest offset and the group reads everything again', async () => {
  const topic = uniqueName('reset');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 2 }]);
  const producer = kafka.producer(producerDefaults());
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();

  const groupId = uniqueName('replayers');
  expect(await consume(topic, 10, { groupId })).toHaveLength(10);

  // kafkajs's resetOffsets({ earliest }) commits the sentinel -2, which only kafkajs
  // understands; committing the real low watermarks works for every client
  const low = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({ groupId, topic, partitions: low.map(({ partition, low: offset }) => ({ partition, offset })) });
  const [afterReset] = await admin.fetchOffsets({ groupId, topics: [topic] });
  expect(afterReset?.partitions.map((p) => p.offset)).toEqual(['0', '0']);

  const replayed = await consume(topic, 10, { groupId });
  expect(replayed.map((m) => m.value?.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
});
