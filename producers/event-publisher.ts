/**
 * Publishes domain events to Kafka: validated against their Avro schema,
 * encoded in the Confluent wire format (schema ids cached by the encoder),
 * keyed by aggregate id, with event headers, batched, through the
 * idempotent producer of lib/kafka (acks=all, Java-compatible partitioner).
 *
 *   const publisher = await createPublisher(config, logger);
 *   await publisher.publish([{ topic: TOPIC.orderEvents, event: { type: 'OrderPlaced', value: placed } }]);
 *   await publisher.close();
 *
 * All or nothing per call, for validation: every event of a call is encoded
 * before any is queued, and one invalid event rejects the call with a
 * PublishValidationError naming each bad event and field, publishing none.
 * (Delivery itself is not transactional: if Kafka fails mid-call, the
 * publisher refuses further events, see send-batcher.ts.)
 *
 * Order: events are queued in call order, whatever the order in which
 * concurrent calls finish encoding, so an aggregate's events published by
 * successive calls keep their order without awaiting each call.
 */
import { ProduceAcks, type OutgoingRecord, type RecordProducer } from '../lib/kafka/clients';
import { isUnknownTopic } from '../lib/kafka/errors';
import type { Logger } from '../lib/logger';
import type { RecordSet } from '../lib/registry';
import { AvroEncoder, EncodeError, MessageMap, TaggedValue } from '../lib/serde';
import { TOPICS } from '../lib/topics';
import type { TopicMessages } from '../schemas/generated/types';
import { aggregateIdOf, eventHeaders, headersSize } from './event-headers';
import type { OutgoingEvent } from './outgoing-event';
import { PublishValidationError, RejectedEvent } from './publish-error';
import { BatchSettings, OutgoingMessage, SendBatcher, SentBatch } from './send-batcher';
import { explainUnreachable } from './unreachable-broker';

export interface PublisherOptions<M extends MessageMap<M>> {
  /** A producer from lib/kafka/clients createProducer (idempotent, acks=all, Java-compatible partitioner). */
  readonly producer: RecordProducer;
  readonly encoder: AvroEncoder<M>;
  /** The records the encoder knows: which topics exist, for messages naming the known ones. */
  readonly records: RecordSet;
  /** TOPIC_PREFIX: events go to `<prefix><topic>`; callers still name the catalog topic. */
  readonly topicPrefix?: string;
  readonly batch?: Partial<BatchSettings>;
  /** Catalog topics that take tombstones; default: the compacted topics of lib/topics.ts. */
  readonly compactedTopics?: ReadonlySet<string>;
  readonly logger?: Logger;
  /** Called after each batch Kafka acknowledged (progress, metrics). */
  readonly onBatchSent?: (batch: PublishedBatch) => void;
}

export interface PublishedBatch {
  readonly messages: number;
  readonly bytes: number;
  /** Catalog topic (without prefix) → messages. */
  readonly byTopic: ReadonlyMap<string, number>;
  readonly durationMs: number;
}

export interface PublisherStats {
  /** Events Kafka acknowledged. */
  readonly published: number;
  readonly byTopic: Readonly<Record<string, number>>;
  readonly batches: number;
  readonly bytes: number;
}

/** An event encoded and keyed, ready to be queued. */
export interface PreparedRecord extends OutgoingMessage {
  /** The topic as the catalog names it. */
  readonly catalogTopic: string;
}

export interface PreparedEvents {
  /** The valid events, in input order. */
  readonly records: readonly PreparedRecord[];
  /** The invalid ones, in input order. */
  readonly rejected: readonly RejectedEvent[];
}

const COMPACTED_TOPICS: ReadonlySet<string> = new Set(TOPICS.filter((t) => t.cleanupPolicy === 'compact').map((t) => t.name));

function rejection(
  index: number,
  outgoing: { readonly topic: string; readonly event: unknown },
  reason: string,
  issues: RejectedEvent['issues'] = [],
): RejectedEvent {
  return { index, topic: outgoing.topic, type: isTagged(outgoing.event) ? outgoing.event.type : undefined, reason, issues };
}

function isTagged(event: unknown): event is TaggedValue {
  return typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string' && 'value' in event;
}

/** A missing topic is the usual first-run mistake: say which and how to create them; likewise a broker out of reach. */
function explainSendError(err: unknown, messages: readonly OutgoingRecord[], prefix: string, sendingForMs: number): unknown {
  if (!isUnknownTopic(err)) return explainUnreachable(err, sendingForMs);
  const topics = [...new Set(messages.map((m) => m.topic))];
  return new Error(
    `Kafka has no topic ${topics.join(' or ')} (topics are not auto-created); provision them with: scripts/topics${prefix ? ` --prefix ${prefix}` : ''}`,
    { cause: err },
  );
}

export class Publisher<M extends MessageMap<M> = TopicMessages> {
  private readonly producer: RecordProducer;
  private readonly encoder: AvroEncoder<M>;
  private readonly knownTopics: ReadonlySet<string>;
  private readonly prefix: string;
  private readonly compacted: ReadonlySet<string>;
  private readonly logger: Logger | undefined;
  private readonly batcher: SendBatcher;
  /** Settles once the previous call's events are queued: keeps queueing in call order. */
  private queueTurn: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private published = 0;
  private batches = 0;
  private bytes = 0;
  private readonly byTopic: Record<string, number> = {};

  constructor(private readonly options: PublisherOptions<M>) {
    this.producer = options.producer;
    this.encoder = options.encoder;
    this.knownTopics = new Set(options.records.topics());
    this.prefix = options.topicPrefix ?? '';
    this.compacted = options.compactedTopics ?? COMPACTED_TOPICS;
    this.logger = options.logger?.child({ component: 'publisher' });
    this.batcher = new SendBatcher(
      (messages) => {
        const started = Date.now();
        return this.producer.send({ messages, acks: ProduceAcks.ALL }).catch((err: unknown) => {
          throw explainSendError(err, messages, this.prefix, Date.now() - started);
        });
      },
      options.batch,
      (batch) => this.sent(batch),
    );
  }

  /** Reaches the cluster and takes the producer's id, so that a broker out of reach shows before the first event. */
  async connect(): Promise<void> {
    await this.producer.initIdempotentProducer({});
  }

  /**
   * Resolves the schema ids of the given catalog topics up front (registering
   * them if the encoder may), so an unreachable registry or a refused schema
   * shows before the first event rather than in the middle of a stream.
   */
  async prepareSchemas(topics: readonly string[]): Promise<void> {
    await this.encoder.prepare(topics);
  }

  /** Validates, encodes and publishes; resolves when Kafka acknowledged every event of the call. */
  publish(events: readonly OutgoingEvent<M>[]): Promise<number> {
    const preparing = this.prepare(events).then(({ records, rejected }) => {
      if (rejected.length > 0) throw new PublishValidationError(rejected, events.length);
      return records;
    });
    return this.enqueue(preparing);
  }

  /**
   * Validates and encodes without publishing: the valid events ready for
   * publishPrepared, and a RejectedEvent for each invalid one (for callers
   * that skip bad input rather than refuse it all, like the producer CLI).
   * Throws only for what is not the events' fault (registry unreachable, a
   * schema the registry refuses).
   */
  async prepare(events: readonly OutgoingEvent<M>[]): Promise<PreparedEvents> {
    // The hot path of every publish: plain loops, no per-event closures, and no
    // promise once the schema ids are resolved (only first uses of a record wait).
    const slots: Array<PreparedRecord | undefined> = new Array(events.length);
    const rejected: RejectedEvent[] = [];
    const encodings: Array<Promise<Buffer>> = [];
    const encodingIndexes: number[] = [];
    for (let index = 0; index < events.length; index++) {
      const outgoing = events[index]!;
      const problem = this.check(outgoing);
      if (problem !== undefined) rejected.push(rejection(index, outgoing, problem));
      else if (outgoing.event === null) slots[index] = this.tombstone(outgoing);
      else {
        // The catalog's name for the topic: records are addressed by it, subjects carry the prefix.
        const event = outgoing.event as M[keyof M & string];
        let value: Buffer | undefined;
        try {
          value = this.encoder.encodeIfResolved(outgoing.topic, event);
        } catch (err) {
          if (!(err instanceof EncodeError)) throw err;
          rejected.push(rejection(index, outgoing, err.message, err.issues));
          continue;
        }
        if (value !== undefined) this.place(slots, rejected, index, outgoing, value);
        else {
          encodings.push(this.encoder.encode(outgoing.topic, event));
          encodingIndexes.push(index);
        }
      }
    }
    if (encodings.length > 0) {
      let values: Array<Buffer | undefined>;
      try {
        values = await Promise.all(encodings);
      } catch {
        values = await this.settleEncodings(encodings, encodingIndexes, events, rejected);
      }
      for (let j = 0; j < values.length; j++) {
        const value = values[j];
        if (value !== undefined) this.place(slots, rejected, encodingIndexes[j]!, events[encodingIndexes[j]!]!, value);
      }
    }
    rejected.sort((a, b) => a.index - b.index);
    const records: PreparedRecord[] = [];
    for (const record of slots) if (record !== undefined) records.push(record);
    return { records, rejected };
  }

  /** Publishes events prepare() accepted; resolves when Kafka acknowledged them. */
  publishPrepared(records: readonly PreparedRecord[]): Promise<number> {
    return this.enqueue(Promise.resolve(records));
  }

  /** Sends what is buffered now; resolves when everything published so far is acknowledged. */
  async flush(): Promise<void> {
    await this.queueTurn;
    await this.batcher.flush();
  }

  /** Flushes and disconnects; publish calls after this are refused. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.queueTurn;
        await this.batcher.close();
      } finally {
        await this.producer.close();
        this.logger?.debug(this.stats(), 'publisher closed');
      }
    })();
    return this.closing;
  }

  stats(): PublisherStats {
    return { published: this.published, byTopic: { ...this.byTopic }, batches: this.batches, bytes: this.bytes };
  }

  /** Events added and not yet acknowledged. */
  get buffered(): number {
    return this.batcher.buffered;
  }

  private enqueue(preparing: Promise<readonly PreparedRecord[]>): Promise<number> {
    // Handled here, awaited in turn below: a rejection must not count as unhandled meanwhile.
    preparing.catch(() => undefined);
    let acknowledged: Promise<void> = Promise.resolve();
    let count = 0;
    const queued = this.queueTurn.then(async () => {
      const records = await preparing;
      count = records.length;
      acknowledged = this.batcher.add(records);
    });
    this.queueTurn = queued.catch(() => undefined);
    return queued.then(() => acknowledged).then(() => count);
  }

  /** What is wrong with an event before encoding (topic, key, tombstone rules, shape), or undefined. */
  private check(outgoing: OutgoingEvent<M>): string | undefined {
    const { topic, key, event } = outgoing as { topic: string; key?: unknown; event: unknown };
    if (!this.knownTopics.has(topic)) {
      return `unknown topic ${JSON.stringify(topic)}; name a catalog topic without TOPIC_PREFIX (${[...this.knownTopics].join(', ')})`;
    }
    if (key !== undefined && (typeof key !== 'string' || key === '')) {
      return `key must be a non-empty string when given, got ${JSON.stringify(key)}`;
    }
    if (event === null) {
      if (key === undefined) return 'a tombstone (event null) needs a key: the id of the aggregate to erase';
      if (!this.compacted.has(topic)) {
        const compacted = [...this.compacted].filter((t) => this.knownTopics.has(t));
        return `topic ${topic} is not compacted, so a tombstone would erase nothing; tombstones go to ${compacted.join(', ')}`;
      }
      return undefined;
    }
    if (!isTagged(event)) return 'expected a tagged value { type: <record short name>, value: <record> }, or null for a tombstone';
    return undefined;
  }

  /** After Promise.all failed: each encoding's outcome, the event's own faults as rejections; anything else is thrown. */
  private async settleEncodings(
    encodings: ReadonlyArray<Promise<Buffer>>,
    indexes: readonly number[],
    events: readonly OutgoingEvent<M>[],
    rejected: RejectedEvent[],
  ): Promise<Array<Buffer | undefined>> {
    const outcomes = await Promise.allSettled(encodings);
    return outcomes.map((outcome, j) => {
      if (outcome.status === 'fulfilled') return outcome.value;
      const err: unknown = outcome.reason;
      // Registry trouble (unreachable, a refused or unregistered schema) is not the event's fault: the whole call fails.
      if (!(err instanceof EncodeError) || err.reason === 'schema-not-registered') throw err;
      const index = indexes[j]!;
      rejected.push(rejection(index, events[index]!, err.message, err.issues));
      return undefined;
    });
  }

  private tombstone(outgoing: OutgoingEvent<M>): PreparedRecord {
    const key = outgoing.key!;
    // value undefined: the client writes a null value, a tombstone
    return { catalogTopic: outgoing.topic, message: { topic: this.prefix + outgoing.topic, key: Buffer.from(key), value: undefined }, size: key.length };
  }

  /** Puts an encoded event in its slot, or rejects it when it cannot be keyed. */
  private place(slots: Array<PreparedRecord | undefined>, rejected: RejectedEvent[], index: number, outgoing: OutgoingEvent<M>, value: Buffer): void {
    const record = this.keyed(outgoing, value);
    if (typeof record === 'string') rejected.push(rejection(index, outgoing, record));
    else slots[index] = record;
  }

  /** The encoded event as a Kafka message, or why it cannot be keyed. */
  private keyed(outgoing: OutgoingEvent<M>, value: Buffer): PreparedRecord | string {
    const event = outgoing.event as TaggedValue;
    const key = outgoing.key ?? aggregateIdOf(event.value);
    if (key === undefined) return `key: ${event.type} has no envelope.aggregateId to key by; give the key explicitly`;
    const headers = eventHeaders(event.type, event.value);
    const message: OutgoingRecord = { topic: this.prefix + outgoing.topic, key: Buffer.from(key), value, headers };
    return { catalogTopic: outgoing.topic, message, size: key.length + value.length + headersSize(headers) };
  }

  private sent(batch: SentBatch): void {
    const byTopic = new Map<string, number>();
    for (const [kafkaTopic, count] of batch.byTopic) {
      const topic = kafkaTopic.startsWith(this.prefix) ? kafkaTopic.slice(this.prefix.length) : kafkaTopic;
      byTopic.set(topic, count);
      this.byTopic[topic] = (this.byTopic[topic] ?? 0) + count;
    }
    this.published += batch.messages;
    this.batches += 1;
    this.bytes += batch.bytes;
    this.logger?.trace({ messages: batch.messages, bytes: batch.bytes, ms: batch.durationMs }, 'batch acknowledged');
    this.options.onBatchSent?.({ messages: batch.messages, bytes: batch.bytes, byTopic, durationMs: batch.durationMs });
  }
}
