/**
 * The project's Kafka client (lib/kafka) against the project's Kafka: topics
 * (one compacted), a consumer group, committed and aborted transactions seen
 * by read_committed and read_uncommitted readers, and offsets reset through
 * the admin client.
 */
import { committedOffsets } from '../../lib/admin/committed-offsets';
import { createTopicsAndWait } from '../../lib/admin/create-topics';
import { applyOffsetReset, planOffsetReset } from '../../lib/admin/offset-reset';
import { createAdmin, createProducer, createTransactionalProducer, type Admin } from '../../lib/kafka/clients';
import { describeTopicConfigs } from '../../lib/kafka/topic-configs';
import { partitionCounts } from '../../lib/kafka/topic-metadata';
import { readPartitionsToEnd } from '../../lib/kafka/topic-reader';
import { config, logger, uniqueName } from './support/env';
import { joinGroup, type ConsumedRecord } from './support/group-consumer';

let admin: Admin;

beforeAll(() => {
  admin = createAdmin(config.kafka, 'kafka-test');
});

afterAll(async () => {
  await admin.close();
});

/** Consumes as a member of the group from its committed offsets (the beginning when none) until `count` records arrived (or the timeout hits). */
async function consume(
  topic: string,
  count: number,
  options: { groupId?: string; readUncommitted?: boolean; settleMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const received: ConsumedRecord[] = [];
  let done: () => void = () => undefined;
  let settle: NodeJS.Timeout | undefined;
  const arrived = new Promise<void>((resolve) => (done = resolve));
  const member = await joinGroup(
    config.kafka,
    options.groupId ?? uniqueName('group'),
    [topic],
    (record) => {
      received.push(record);
      if (received.length < count) return;
      // wait a little longer so that unexpected extra records are caught too
      clearTimeout(settle);
      settle = setTimeout(done, options.settleMs ?? 500);
    },
    { readUncommitted: options.readUncommitted ?? false },
  );
  let timeout: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      arrived,
      new Promise((_, reject) => (timeout = setTimeout(() => reject(new Error(`got ${received.length} of ${count} records from ${topic}`)), 30_000))),
    ]);
  } finally {
    clearTimeout(timeout);
    await member.close();
  }
  return received;
}

const records = (topic: string, values: ReadonlyArray<{ key: string; value: string }>) =>
  values.map(({ key, value }) => ({ topic, key: Buffer.from(key), value: Buffer.from(value) }));

async function produce(topic: string, values: ReadonlyArray<{ key: string; value: string }>): Promise<void> {
  const producer = createProducer(config.kafka, 'kafka-test');
  try {
    await producer.send({ messages: records(topic, values) });
  } finally {
    await producer.close();
  }
}

test('creates topics, one of them compacted', async () => {
  const plain = uniqueName('plain');
  const compacted = uniqueName('compacted');
  await createTopicsAndWait(admin, [
    { topic: plain, numPartitions: 3 },
    { topic: compacted, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ]);

  expect(Object.fromEntries(await partitionCounts(admin, [plain, compacted]))).toEqual({ [plain]: 3, [compacted]: 2 });

  const described = await describeTopicConfigs(admin, [compacted], ['cleanup.policy']);
  expect(described.get(compacted)?.[0]?.value).toBe('compact');
});

test('produces keyed messages and consumes them with a consumer group', async () => {
  const topic = uniqueName('group');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 3 }]);
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `order-${i % 5}`, value: `event-${i}` }));
  await produce(topic, sent);

  const groupId = uniqueName('readers');
  const received = await consume(topic, sent.length, { groupId });
  expect(received.map((m) => m.value?.toString()).sort()).toEqual(sent.map((m) => m.value).sort());

  // per-key order is kept: one key's events arrive in the order they were produced
  const forKey = received.filter((m) => m.key?.toString() === 'order-1').map((m) => m.value?.toString());
  expect(forKey).toEqual(sent.filter((m) => m.key === 'order-1').map((m) => m.value));

  // the group committed its position at the end of each partition
  const committed = (await committedOffsets(admin, groupId)).get(topic);
  const total = [...(committed ?? new Map<number, number>()).values()].reduce((sum, offset) => sum + offset, 0);
  expect(total).toBe(sent.length);
});

test('a committed transaction is visible to read_committed readers, an aborted one is not', async () => {
  const topic = uniqueName('tx');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
  const id = uniqueName('txid');
  const producer = createTransactionalProducer(config.kafka, id, id, 30_000);
  try {
    const aborted = await producer.beginTransaction();
    await aborted.send({
      messages: records(topic, [
        { key: 'k', value: 'aborted-1' },
        { key: 'k', value: 'aborted-2' },
      ]),
    });
    await aborted.abort();

    const committed = await producer.beginTransaction();
    await committed.send({
      messages: records(topic, [
        { key: 'k', value: 'committed-1' },
        { key: 'k', value: 'committed-2' },
      ]),
    });
    await committed.commit();
  } finally {
    await producer.close();
  }

  // the project's reader (read_committed) and a read_committed group member
  const read: string[] = [];
  await readPartitionsToEnd({
    kafka: config.kafka,
    logger,
    clientId: uniqueName('tx-reader'),
    topic,
    onBatch: (_p, batch) => void read.push(...batch.map((r) => r.value?.toString() ?? '')),
  });
  expect(read).toEqual(['committed-1', 'committed-2']);
  const readCommitted = await consume(topic, 2, { settleMs: 1500 });
  expect(readCommitted.map((m) => m.value?.toString())).toEqual(['committed-1', 'committed-2']);

  // the aborted records are in the log: an uncommitted reader does see them
  const readUncommitted = await consume(topic, 4, { readUncommitted: true });
  expect(readUncommitted.map((m) => m.value?.toString())).toEqual(['aborted-1', 'aborted-2', 'committed-1', 'committed-2']);
});

test('the admin client resets a group to the earliest offset and the group reads everything again', async () => {
  const topic = uniqueName('reset');
  await createTopicsAndWait(admin, [{ topic, numPartitions: 2 }]);
  await produce(
    topic,
    Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  );

  const groupId = uniqueName('replayers');
  expect(await consume(topic, 10, { groupId })).toHaveLength(10);

  // the real log start offsets are committed (not a sentinel only some clients understand)
  await applyOffsetReset(admin, groupId, await planOffsetReset(admin, groupId, [topic], { kind: 'earliest' }));
  expect([...((await committedOffsets(admin, groupId)).get(topic) ?? [])].sort(([a], [b]) => a - b)).toEqual([
    [0, 0],
    [1, 0],
  ]);

  const replayed = await consume(topic, 10, { groupId });
  expect(replayed.map((m) => m.value?.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
});
