/**
 * One order's events read from the log: the partition its key lands in, of
 * orders.events and of payments.events (co-partitioned by orderId), decoded
 * with the registry-backed codec, each with its position.
 *
 * The read goes to the end of the partition unless `appendedBefore` bounds
 * it with offsets-for-times. That bound is on the Kafka record timestamp,
 * and the producers leave it to the client, which stamps the send time, not
 * the event's occurredAt: an event published late (a backfill, the load
 * generator's history) is appended long after it occurred. So only a read to
 * the end is sure to see every event that occurred by a given time; the
 * bound is for callers who know how late events can be published.
 */
import { requireTopics } from '../../lib/admin/require-topics';
import type { KafkaConfig } from '../../lib/config';
import { createAdmin } from '../../lib/kafka/clients';
import { partitionForKey } from '../../lib/kafka/key-partition';
import { topicPartitions } from '../../lib/kafka/topic-metadata';
import { offsetsForTime } from '../../lib/kafka/topic-offsets';
import { readPartitionsToEnd } from '../../lib/kafka/topic-reader';
import type { Logger } from '../../lib/logger';
import { DecodeError } from '../../lib/serde';
import type { TopicNames } from '../../lib/topics';
import type { AggregateEvent } from '../../lib/domain/orders/fold';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { SourcedEvent } from './order-timeline';
import { endOffsetsAt } from './read-bound';

export interface OrderLogRead {
  readonly kafka: KafkaConfig;
  readonly topics: TopicNames;
  readonly codec: RecordCodec;
  readonly logger: Logger;
  readonly orderId: string;
  /** For the message when a topic is missing. */
  readonly topicPrefix: string;
  /** Epoch ms: read only records appended before it (offsets-for-times); undefined reads to the end. */
  readonly appendedBefore?: number;
}

export interface TopicRead {
  readonly topic: string;
  readonly partition: number;
  /** Records of the partition read (every key). */
  readonly scanned: number;
  /** Exclusive end offset given by offsets-for-times; undefined when read to the end. */
  readonly boundedAt?: number;
}

export interface OrderLog {
  readonly events: SourcedEvent[];
  readonly reads: readonly TopicRead[];
  /** The order's records that are not events it folds (undecodable, tombstones, another aggregateId): its dead letters. */
  readonly skipped: number;
}

export async function readOrderLog(options: OrderLogRead): Promise<OrderLog> {
  const { kafka, topics, codec, logger, orderId } = options;
  const key = Buffer.from(orderId, 'utf8');
  const readTopic = async (topic: string) => {
    const { partition, ends } = await locate(kafka, topic, options);
    const keyed: Array<{ offset: string; value: Buffer | null }> = [];
    const scanned = await readPartitionsToEnd({
      kafka,
      topic,
      partitions: [partition],
      ...(ends === undefined ? {} : { endOffsets: ends }),
      clientId: 'state-at',
      logger,
      onBatch: (_partition, messages) => {
        for (const message of messages) if (message.key?.equals(key)) keyed.push({ offset: message.offset, value: message.value });
      },
    });
    const events: SourcedEvent[] = [];
    let skipped = 0;
    for (const { offset, value } of keyed) {
      const event = value === null ? null : await decodeEvent(codec, topic, value);
      if (event === null || event.value.envelope.aggregateId !== orderId) skipped += 1;
      else events.push({ event, source: { topic, partition, offset } });
    }
    const bound = ends?.get(partition);
    const read: TopicRead = { topic, partition, scanned, ...(bound === undefined ? {} : { boundedAt: bound }) };
    return { events, read, skipped };
  };
  // both topics at once: the reads wait on the broker, not on each other
  const perTopic = await Promise.all([readTopic(topics.orderEvents), readTopic(topics.paymentEvents)]);
  return {
    events: perTopic.flatMap((t) => t.events),
    reads: perTopic.map((t) => t.read),
    skipped: perTopic.reduce((sum, t) => sum + t.skipped, 0),
  };
}

async function locate(
  kafka: KafkaConfig,
  topic: string,
  { orderId, appendedBefore, topicPrefix }: OrderLogRead,
): Promise<{ partition: number; ends?: Map<number, number> }> {
  const admin = createAdmin(kafka, 'state-at');
  try {
    await requireTopics(admin, [topic], `reading order ${orderId}`, topicPrefix);
    const partition = partitionForKey(topic, orderId, (await topicPartitions(admin, topic)).length);
    if (appendedBefore === undefined) return { partition };
    return { partition, ends: endOffsetsAt(await offsetsForTime(admin, topic, appendedBefore)) };
  } finally {
    await admin.close();
  }
}

/** null for a record the aggregator dead-letters as undecodable. */
async function decodeEvent(codec: RecordCodec, topic: string, bytes: Buffer): Promise<AggregateEvent | null> {
  try {
    return (await codec.decode(topic, bytes)) as AggregateEvent;
  } catch (error) {
    if (error instanceof DecodeError) return null;
    throw error;
  }
}
