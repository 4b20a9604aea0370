/**
 * The baseline: the project's Kafka client (lib/kafka) alone sending bytes
 * that are already encoded, in batches of the same size the publisher uses,
 * one request at a time like the publisher (the idempotent producer's
 * ordering rule). Whatever the publisher costs on top of this is
 * serialization and bookkeeping.
 */
import { ProduceAcks, type OutgoingRecord, type RecordProducer } from '../../lib/kafka/clients';

/** Splits the records (each naming its topic) into send payloads of `batchSize` messages, keeping their order. */
export function rawBatches(records: readonly OutgoingRecord[], batchSize: number): OutgoingRecord[][] {
  const batches: OutgoingRecord[][] = [];
  for (let start = 0; start < records.length; start += batchSize) batches.push(records.slice(start, start + batchSize));
  return batches;
}

/** Sends pre-built batches in order; resolves when the last is acknowledged. */
export async function sendRaw(producer: RecordProducer, batches: readonly OutgoingRecord[][]): Promise<void> {
  for (const messages of batches) await producer.send({ messages, acks: ProduceAcks.ALL });
}
