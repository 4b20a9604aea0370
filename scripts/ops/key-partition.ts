/**
 * The partition a key lands in, computed the way the producers pick it:
 * through the very partitioner producerDefaults() gives them (kafkajs's
 * Java-compatible murmur2), so the answer agrees with every producer.
 */
import { producerDefaults } from '../../lib/clients/kafka';

export function partitionForKey(topic: string, key: string, partitionCount: number): number {
  const createPartitioner = producerDefaults().createPartitioner;
  if (createPartitioner === undefined) throw new Error('producerDefaults() names no partitioner');
  // With a key, the partitioner only counts the partitions; leaders do not matter.
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return createPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}
