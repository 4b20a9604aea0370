/**
 * The Publisher's producer (lib/kafka createProducer) puts a key on the
 * partition the Java client, and kafkajs's DefaultPartitioner before it,
 * chose: records published before the move to @platformatic/kafka and after
 * it keep an aggregate on one partition, and other clients co-partition.
 */
import { createProducer, type RecordProducer } from '../../../lib/kafka/clients';
import type { KafkaConfig } from '../../../lib/config';

// Nothing connects: the partition of a key is computed locally.
const CONFIG: KafkaConfig = {
  brokers: ['127.0.0.1:9'],
  clientId: 'partitioning-test',
  ssl: false,
  sslCaFile: undefined,
  sasl: undefined,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 1000,
};

/**
 * murmur2 of each key as Kafka's own UtilsTest.testMurmur2 has it (the
 * first six), and the partitions kafkajs 2.2.4's DefaultPartitioner gave
 * each key for topics of 3, 6 and 12 partitions (computed with it before
 * its removal).
 */
const CASES: ReadonlyArray<{ key: string; murmur2: number; partitions: readonly [number, number, number] }> = [
  { key: '21', murmur2: -973932308, partitions: [0, 0, 0] },
  { key: 'foobar', murmur2: -790332482, partitions: [0, 0, 6] },
  { key: 'a-little-bit-long-string', murmur2: -985981536, partitions: [2, 2, 8] },
  { key: 'a-little-bit-longer-string', murmur2: -1486304829, partitions: [2, 5, 11] },
  { key: 'lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', murmur2: -58897971, partitions: [2, 5, 5] },
  { key: 'abc', murmur2: 479470107, partitions: [0, 3, 3] },
  { key: 'order-1', murmur2: 1221710326, partitions: [1, 4, 10] },
  { key: 'cust-7', murmur2: -1576327255, partitions: [1, 1, 1] },
  { key: 'é-ünïcode', murmur2: -1651534611, partitions: [2, 5, 5] },
];

describe('the producer partitions keys like the Java client', () => {
  let producer: RecordProducer;

  beforeAll(() => {
    producer = createProducer(CONFIG, 'partitioning-test');
  });

  afterAll(async () => {
    await producer.close();
  });

  it.each(CASES)('key $key', ({ key, murmur2, partitions }) => {
    const chosen = producer.getSendTopicPartitions({ messages: [{ topic: 't', key: Buffer.from(key), value: Buffer.alloc(0) }] });
    // the client takes this modulo the topic's partition count when it sends
    const [partition] = [...chosen.get('t')!];
    expect(partition).toBe(murmur2 & 0x7fffffff);
    expect([3, 6, 12].map((count) => partition! % count)).toEqual(partitions);
  });
});
