/**
 * The baseline: kafkajs alone sending bytes that are already encoded, in
 * batches of the same size the publisher uses, one request at a time like
 * the publisher (the idempotent producer's ordering rule). Whatever the
 * publisher costs on top of this is serialization and bookkeeping.
 */
import type { Message, Producer } from 'kafkajs';

export interface RawRecord {
  /** Kafka topic. */
  readonly topic: string;
  readonly message: Message;
}

/** Groups records into sendBatch payloads of `batchSize` messages, keeping their order. */
export function rawBatches(records: readonly RawRecord[], batchSize: number): Array<Array<{ topic: string; messages: Message[] }>> {
  const batches: Array<Array<{ topic: string; messages: Message[] }>> = [];
  for (let start = 0; start < records.length; start += batchSize) {
    const byTopic = new Map<string, Message[]>();
    for (const record of records.slice(start, start + batchSize)) {
      let list = byTopic.get(record.topic);
      if (list === undefined) {
        list = [];
        byTopic.set(record.topic, list);
      }
      list.push(record.message);
    }
    batches.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }
  return batches;
}

/** Sends pre-built batches in order; resolves when the last is acknowledged. */
export async function sendRaw(producer: Producer, batches: ReturnType<typeof rawBatches>): Promise<void> {
  for (const topicMessages of batches) await producer.sendBatch({ topicMessages, acks: -1 });
}
