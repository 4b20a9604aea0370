/**
 * The order states the log implies: every record of orders.events and
 * payments.events run through the order aggregator itself, in process (the
 * RecordProcessor the Kafka runtime and the test driver build on), so
 * dead-lettered events are not applied, duplicates are skipped and payments
 * ahead of their order are parked exactly as in production.
 *
 * All of orders.events is read before payments.events. Per order that is one
 * of the interleavings the aggregator may consume, and its fold gives the
 * same state for every interleaving (see order-timeline.ts); reading a topic
 * at a time keeps the parked payments few.
 */
import type { KafkaConfig } from '../../lib/config';
import { readPartitionsToEnd, type ReadProgress } from '../../lib/kafka/topic-reader';
import { createLogger, Logger } from '../../lib/logger';
import { DecodeError } from '../../lib/serde';
import type { TopicNames } from '../../lib/topics';
import type { OrderState } from '../../schemas/generated/types';
import type { AggregateEvent } from '../../lib/domain/orders/fold';
import { ORDER_STATE_STORE, orderAggregator } from '../../processors/order-aggregator/processor';
import type { RecordCodec } from '../../lib/streaming/codec';
import { RecordProcessor } from '../../processors/runtime/record-processor';
import type { KeyValueStore } from '../../processors/runtime/stores/key-value-store';

export interface LogFoldOptions {
  readonly kafka: KafkaConfig;
  readonly topics: TopicNames;
  readonly codec: RecordCodec;
  readonly logger: Logger;
  onProgress?(topic: string, progress: ReadProgress): void;
}

export interface LogFold {
  readonly states: ReadonlyMap<string, OrderState>;
  readonly records: number;
  /** Records the aggregator dead-letters (undecodable, or refused by the fold). */
  readonly deadLettered: number;
}

export async function foldLog(options: LogFoldOptions): Promise<LogFold> {
  const { kafka, topics, codec } = options;
  const aggregator = new RecordProcessor<AggregateEvent>(orderAggregator(topics, codec), new Map(), createLogger('verify-fold', 'silent'), () => undefined);
  let records = 0;
  let deadLettered = 0;
  for (const topic of [topics.orderEvents, topics.paymentEvents]) {
    await readPartitionsToEnd({
      kafka,
      topic,
      clientId: 'verify',
      logger: options.logger,
      onProgress: (progress) => options.onProgress?.(topic, progress),
      onBatch: async (partition, messages) => {
        for (const message of messages) {
          records += 1;
          let value: AggregateEvent | null = null;
          if (message.value !== null) {
            try {
              value = (await codec.decode(topic, message.value)) as AggregateEvent;
            } catch (error) {
              if (!(error instanceof DecodeError)) throw error;
              deadLettered += 1;
              continue;
            }
          }
          const key = message.key?.toString('utf8') ?? null;
          // The parked payments keep no bytes: nothing is dead-lettered from here.
          const source = { topic, partition, offset: message.offset, key: message.key, value: null, headers: {} };
          const outcome = aggregator.process({ topic, partition, offset: message.offset, key, value, timestamp: message.timestamp, headers: {}, source });
          if (outcome.kind === 'rejected') {
            deadLettered += 1;
            continue;
          }
          deadLettered += outcome.earlierRejections.length;
          aggregator.accept();
          aggregator.seal();
          aggregator.commit();
        }
      },
    });
  }
  const store = aggregator.store(ORDER_STATE_STORE) as KeyValueStore<OrderState>;
  return { states: new Map(store.entries()), records, deadLettered };
}
