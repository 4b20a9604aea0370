/**
 * A sink benchmark's input: its own prefixed topics (no dead-letter topics:
 * benchmark input is never bad), filled once with records Avro-encoded
 * through the registry exactly as the processors would write them, and
 * deleted at the end.
 */
import type { Admin, Kafka } from 'kafkajs';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { producerDefaults } from '../../lib/clients/kafka';
import type { Logger } from '../../lib/logger';
import { TOPICS } from '../../lib/topics';
import type { RecordCodec } from '../../processors/runtime/codec';
import type { TopicRecord } from './derived-records';

const SEND_CHUNK = 5_000;

export interface ProducedInput {
  readonly records: number;
  readonly averageBytes: number;
  readonly seconds: number;
}

/** Creates `<prefix><topic>` for each catalog topic named, with the catalog's partitions and policies. */
export async function createBenchTopics(admin: Admin, prefix: string, catalogTopics: readonly string[], logger: Logger): Promise<void> {
  const specs = TOPICS.filter((spec) => catalogTopics.includes(spec.name)).map((spec) => ({ ...spec, hasDeadLetter: false }));
  await provisionTopics(admin, desiredTopics(specs, { prefix }), { logger });
}

export async function deleteBenchTopics(admin: Admin, prefix: string, catalogTopics: readonly string[]): Promise<void> {
  await admin.deleteTopics({ topics: catalogTopics.map((topic) => `${prefix}${topic}`), timeout: 30_000 });
}

/** Encodes and produces the records to `<prefix><record.topic>`, keyed, in order. */
export async function produceInput(kafka: Kafka, codec: RecordCodec, prefix: string, records: readonly TopicRecord[]): Promise<ProducedInput> {
  const producer = kafka.producer(producerDefaults());
  await producer.connect();
  const startedAt = performance.now();
  let bytes = 0;
  try {
    for (let i = 0; i < records.length; i += SEND_CHUNK) {
      const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
      for (const { topic, key, value } of records.slice(i, i + SEND_CHUNK)) {
        const encoded = await codec.encode(`${prefix}${topic}`, value);
        bytes += encoded.length;
        const messages = byTopic.get(topic) ?? [];
        messages.push({ key, value: encoded });
        byTopic.set(topic, messages);
      }
      await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic: `${prefix}${topic}`, messages })) });
    }
  } finally {
    await producer.disconnect();
  }
  return { records: records.length, averageBytes: Math.round(bytes / Math.max(1, records.length)), seconds: (performance.now() - startedAt) / 1000 };
}
