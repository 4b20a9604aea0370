/**
 * A sink benchmark's input: its own prefixed topics (no dead-letter topics:
 * benchmark input is never bad), filled once with records Avro-encoded
 * through the registry exactly as the processors would write them, and
 * deleted at the end.
 */
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import type { KafkaConfig } from '../../lib/config';
import { createAdmin, createProducer, type OutgoingRecord } from '../../lib/kafka/clients';
import { requestChunks } from '../../lib/kafka/request-chunks';
import type { Logger } from '../../lib/logger';
import { TOPICS } from '../../lib/topics';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { TopicRecord } from './derived-records';

const SEND_CHUNK = 5_000;

export interface ProducedInput {
  readonly records: number;
  readonly averageBytes: number;
  readonly seconds: number;
}

/** Creates `<prefix><topic>` for each catalog topic named, with the catalog's partitions and policies. */
export async function createBenchTopics(kafka: KafkaConfig, prefix: string, catalogTopics: readonly string[], logger: Logger): Promise<void> {
  const specs = TOPICS.filter((spec) => catalogTopics.includes(spec.name)).map((spec) => ({ ...spec, hasDeadLetter: false }));
  const admin = createAdmin(kafka, 'sinks-bench');
  try {
    await provisionTopics(admin, desiredTopics(specs, { prefix }), { logger });
  } finally {
    await admin.close();
  }
}

export async function deleteBenchTopics(kafka: KafkaConfig, prefix: string, catalogTopics: readonly string[]): Promise<void> {
  const admin = createAdmin(kafka, 'sinks-bench');
  try {
    await admin.deleteTopics({ topics: catalogTopics.map((topic) => `${prefix}${topic}`) });
  } finally {
    await admin.close();
  }
}

/** Encodes and produces the records to `<prefix><record.topic>`, keyed, in order. */
export async function produceInput(kafka: KafkaConfig, codec: RecordCodec, prefix: string, records: readonly TopicRecord[]): Promise<ProducedInput> {
  const producer = createProducer(kafka, 'sinks-bench');
  const startedAt = performance.now();
  let bytes = 0;
  try {
    for (let i = 0; i < records.length; i += SEND_CHUNK) {
      const messages: OutgoingRecord[] = [];
      for (const { topic, key, value } of records.slice(i, i + SEND_CHUNK)) {
        const encoded = await codec.encode(`${prefix}${topic}`, value);
        bytes += encoded.length;
        messages.push({ topic: `${prefix}${topic}`, key: Buffer.from(key), value: encoded });
      }
      for (const chunk of requestChunks(messages)) await producer.send({ messages: chunk });
    }
  } finally {
    await producer.close();
  }
  return { records: records.length, averageBytes: Math.round(bytes / Math.max(1, records.length)), seconds: (performance.now() - startedAt) / 1000 };
}
