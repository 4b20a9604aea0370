/**
 * The project's Kafka client (@platformatic/kafka), configured from
 * KafkaConfig. The runtime imports the client only through lib/kafka/.
 */
import { readFileSync } from 'node:fs';
import {
  Admin,
  compatibilityPartitioner,
  Consumer,
  FetchIsolationLevels,
  ProduceAcks,
  Producer,
  stringSerializer,
  type BaseOptions,
  type MessageToProduce,
  type SASLOptions,
} from '@platformatic/kafka';
import type { KafkaConfig } from '../config';
import { errorIds } from './errors';

export type { Admin, Consumer } from '@platformatic/kafka';
/** acks per send (ProduceAcks.ALL: every in-sync replica has the batch), for callers that state it. */
export { ProduceAcks } from '@platformatic/kafka';
/** ListOffsets' timestamps for a partition's log start (EARLIEST) and end (LATEST). */
export { ListOffsetTimestamps } from '@platformatic/kafka';

/** Keys and values are bytes (the runtime encodes them); header names and values are text. */
export type RecordProducer = Producer<Buffer, Buffer, string, string>;
export type OutgoingRecord = MessageToProduce<Buffer, Buffer, string, string>;

const SASL_MECHANISM = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** Retries inside one client call; the runtime's own recovery (backoff, rebuilds) sits above them. */
const CLIENT_RETRIES = 3;
/** A transaction's steps: enough for CONCURRENT_TRANSACTIONS refusals (below), bounded for a broker gone away. */
const PRODUCER_RETRIES = 10;
const CLIENT_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 2_000;
/**
 * A transaction begun while the coordinator still writes the previous one's
 * markers is refused (CONCURRENT_TRANSACTIONS) for a few milliseconds; the
 * client's 250 ms would stall every commit behind it.
 */
const CONCURRENT_TRANSACTIONS_RETRY_MS = 10;

function retryDelay(_client: object, _operation: string, attempt: number, _retries: number, error: Error): number {
  if (errorIds(error).includes('CONCURRENT_TRANSACTIONS')) return CONCURRENT_TRANSACTIONS_RETRY_MS * (attempt + 1);
  return Math.min(CLIENT_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
}

function sasl(config: KafkaConfig): SASLOptions | undefined {
  if (config.sasl === undefined) return undefined;
  const { mechanism, username, password } = config.sasl;
  return { mechanism: SASL_MECHANISM[mechanism], username, password };
}

export function baseOptions(config: KafkaConfig, clientId: string): BaseOptions {
  return {
    clientId,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retries: CLIENT_RETRIES,
    retryDelay,
    ...(config.ssl ? { tls: config.sslCaFile ? { ca: [readFileSync(config.sslCaFile, 'utf8')] } : {} } : {}),
    ...(config.sasl ? { sasl: sasl(config) } : {}),
  };
}

export interface GroupConsumerOptions {
  readonly clientId: string;
  readonly groupId: string;
  /** A dead instance's partitions wait this long for a new owner. */
  readonly sessionTimeoutMs: number;
  /** How long the coordinator waits for every member to rejoin. */
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/** A consumer for a group (membership and heartbeats are the client's) or, never joined, for reading partitions directly. */
export function createConsumer(config: KafkaConfig, options: GroupConsumerOptions): Consumer {
  return new Consumer({
    ...baseOptions(config, options.clientId),
    groupId: options.groupId,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: options.rebalanceTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
  });
}

/**
 * A transactional producer. The client sends its `timeout` as the
 * transaction timeout in InitProducerId (and bounds its requests by it).
 * The Java-compatible murmur2 partitioner, so other clients co-partition by key.
 */
export function createTransactionalProducer(config: KafkaConfig, clientId: string, transactionalId: string, transactionTimeoutMs: number): RecordProducer {
  return new Producer<Buffer, Buffer, string, string>({
    ...baseOptions(config, clientId),
    retries: PRODUCER_RETRIES,
    idempotent: true,
    transactionalId,
    // a new producer, not a bump of an earlier one's epoch (KIP-360): the coordinator fences whoever had the id before
    producerId: -1n,
    producerEpoch: -1,
    timeout: transactionTimeoutMs,
    partitioner: compatibilityPartitioner,
    serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
  });
}

/**
 * How long a producer keeps retrying a request (a send, finding the
 * cluster, its producer id) before it fails: `retries` attempts after the
 * first, waiting `initialDelayMs` before the first retry and twice as long
 * each time after, up to `maxDelayMs`. A send is retried with its sequence
 * numbers, so a batch the broker did store is not stored twice.
 */
export interface ProducerRetry {
  readonly retries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * An idempotent, non-transactional producer (acks=all, which idempotence
 * requires), with the Java-compatible partitioner like every other producer.
 * `retry` replaces the default bound (PRODUCER_RETRIES, about 17 s), e.g. to
 * ride out a broker restart.
 */
export function createProducer(config: KafkaConfig, clientId: string, retry?: ProducerRetry): RecordProducer {
  return new Producer<Buffer, Buffer, string, string>({
    ...baseOptions(config, clientId),
    retries: retry?.retries ?? PRODUCER_RETRIES,
    // the client numbers attempts from 1 here: the first retry waits initialDelayMs
    ...(retry
      ? { retryDelay: (_client: object, _operation: string, attempt: number) => Math.min(retry.initialDelayMs * 2 ** (attempt - 1), retry.maxDelayMs) }
      : {}),
    idempotent: true,
    acks: ProduceAcks.ALL,
    partitioner: compatibilityPartitioner,
    serializers: { headerKey: stringSerializer, headerValue: stringSerializer },
  });
}

export function createAdmin(config: KafkaConfig, clientId: string): Admin {
  return new Admin(baseOptions(config, clientId));
}
