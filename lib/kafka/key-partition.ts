/**
 * The partition a key lands in, computed by the partitioner every producer
 * is given (clients.ts: Java-compatible murmur2), so the answer agrees with
 * the producers and with Java clients.
 */
import { compatibilityPartitioner } from '@platformatic/kafka';

export function partitionForKey(topic: string, key: string, partitionCount: number): number {
  const bytes = Buffer.from(key, 'utf8');
  // the partitioner answers a hash; the producer takes it modulo the partition count
  return compatibilityPartitioner({ topic, key: bytes }, bytes) % partitionCount;
}
