import { partitionForKey } from '../../../lib/kafka/key-partition';

// murmur2 values of the Java client's own tests (org.apache.kafka.common.utils.UtilsTest.testMurmur2):
// the partition is toPositive(murmur2(key)) % partitions, as Java's default partitioner computes it.
const JAVA_MURMUR2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('partitionForKey', () => {
  test.each(JAVA_MURMUR2)('%s lands where the Java client puts it', (key, murmur2) => {
    for (const partitions of [1, 6, 7, 32]) expect(partitionForKey('orders.events', key, partitions)).toBe((murmur2 & 0x7fffffff) % partitions);
  });

  test('does not depend on the topic: co-partitioned topics agree', () => {
    expect(partitionForKey('orders.events', 'order-42', 6)).toBe(partitionForKey('payments.events', 'order-42', 6));
  });
});
