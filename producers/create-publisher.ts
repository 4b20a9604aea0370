/**
 * A Publisher wired from the configuration: the idempotent producer of lib/kafka,
 * schema registry, the schema catalog's records with TOPIC_PREFIX subjects,
 * and the Avro encoder. Connected when returned.
 */
import type { AppConfig } from '../lib/config';
import { createProducer, type ProducerRetry } from '../lib/kafka/clients';
import { brokerUnreachableReason } from '../lib/kafka/errors';
import type { Logger } from '../lib/logger';
import { RecordSet, catalogRecordSet, createRegistryClient } from '../lib/registry';
import { AvroEncoder, MessageMap } from '../lib/serde';
import type { TopicMessages } from '../schemas/generated/types';
import { Publisher, PublisherOptions } from './event-publisher';

export interface CreatePublisherOptions {
  /** Default: config.topicPrefix. */
  readonly topicPrefix?: string;
  /**
   * The records to encode with; default: the catalog with subjects under the
   * topic prefix (TopicRecordNameStrategy on the real Kafka topic names).
   */
  readonly records?: RecordSet;
  /** Register schemas a subject does not hold yet (default true, like Confluent serializers). */
  readonly autoRegister?: boolean;
  readonly batch?: PublisherOptions<never>['batch'];
  readonly onBatchSent?: PublisherOptions<never>['onBatchSent'];
  /** Kafka client id, to tell producers apart in broker logs and metrics. */
  readonly clientId?: string;
}

/**
 * How long a send (and connecting) is retried before the publisher gives up
 * (and, to keep aggregates in order, refuses further events): 30 retries from
 * 300 ms doubling to 5 s, about two minutes, so a broker restart or a hang
 * does not end a long-running producer such as the load generator. The
 * client's default (about 17 s) is shorter than a broker's controlled
 * shutdown and start. Safe to repeat: the producer is idempotent with one
 * request in flight, so a retried batch keeps its sequence numbers and the
 * broker stores it once.
 */
export const SEND_RETRY: ProducerRetry = { retries: 30, initialDelayMs: 300, maxDelayMs: 5_000 };

/**
 * M types what `publish` accepts: the generated TopicMessages by default;
 * `Record<string, TaggedValue>` for input only known at run time (the CLI),
 * which the encoder validates anyway.
 */
export async function createPublisher<M extends MessageMap<M> = TopicMessages>(
  config: AppConfig,
  logger: Logger,
  options: CreatePublisherOptions = {},
): Promise<Publisher<M>> {
  const topicPrefix = options.topicPrefix ?? config.topicPrefix;
  const records = options.records ?? catalogRecordSet(undefined, { topicPrefix });
  const registry = createRegistryClient(config.schemaRegistry, { logger });
  const encoder = new AvroEncoder<M>({ registry, records, logger, autoRegister: options.autoRegister });
  const publisher = new Publisher<M>({
    producer: createProducer(config.kafka, options.clientId ?? `${config.kafka.clientId}-producer`, SEND_RETRY),
    encoder,
    records,
    topicPrefix,
    batch: options.batch,
    logger,
    onBatchSent: options.onBatchSent,
  });
  try {
    await publisher.connect();
  } catch (err) {
    await publisher.close().catch(() => undefined);
    const reason = brokerUnreachableReason(err) ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot reach Kafka at ${config.kafka.brokers.join(',')} (KAFKA_BROKERS): ${reason}; is it running (scripts/infra status)?`, {
      cause: err,
    });
  }
  return publisher;
}
