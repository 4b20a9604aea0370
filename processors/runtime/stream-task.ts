/**
 * One task: one partition number of the processor's co-partitioned inputs,
 * with its stores and its own transactional producer. Consume-transform-
 * produce is exactly-once: the outputs, dead letters, changelog writes and
 * input offsets of everything processed since the last commit go to Kafka in
 * one transaction.
 *
 * The transactional id is stable per task (`<processor>-<partition>`):
 * kafkajs has no KIP-447 group-metadata fencing, so a new owner of the
 * partition fences the previous one (a zombie) by initializing the same id,
 * which aborts whatever the zombie left open.
 *
 * Records are buffered, already encoded, until commit; the transaction only
 * exists for the duration of commit(), so at most one is open per producer
 * and it never spans a rebalance.
 */
import type { Batch, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { producerDefaults } from '../../lib/clients/kafka';
import { stringHeaders } from '../../lib/clients/kafka-headers';
import type { Logger } from '../../lib/logger';
import { DecodeError, TaggedValue } from '../../lib/serde';
import type { RecordCodec } from './codec';
import { deadLetter, DeadLetterSource } from './dead-letter';
import type { ProcessorMetrics } from './metrics';
import { readPartitionsToEnd } from './partition-reader';
import type { InputRecord, ProcessorDefinition, ReadonlyTable, StoreSpec } from './processor';
import { Forward, RecordProcessor, StoreChanges } from './record-processor';

export interface TaskOptions<In extends TaggedValue> {
  readonly kafka: Kafka;
  readonly definition: ProcessorDefinition<In>;
  readonly partition: number;
  readonly codec: RecordCodec;
  readonly tables: ReadonlyMap<string, ReadonlyTable<unknown>>;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  /** Transactions older than this are aborted by the broker (a dead instance's leftovers). */
  readonly transactionTimeoutMs: number;
}

/** Pending records of one topic, keyed for changelogs so only the last write per key is sent. */
interface PendingTopic {
  readonly messages: Message[];
}

export class StreamTask<In extends TaggedValue> {
  readonly partition: number;
  readonly transactionalId: string;
  private readonly core: RecordProcessor<In>;
  private readonly producer: Producer;
  private readonly logger: Logger;
  private readonly pendingOutputs = new Map<string, PendingTopic>();
  /** changelog topic → key → latest bytes (null: tombstone) */
  private readonly pendingChangelogs = new Map<string, Map<string, Buffer | null>>();
  private pendingCount = 0;
  /** input topic → next offset to consume, as processed (not yet committed) */
  private readonly processedOffsets = new Map<string, string>();
  /** input topic → next offset as committed in Kafka (what a rollback returns to) */
  private readonly committedOffsets = new Map<string, string>();
  private lastCommitAt = Date.now();
  private closed = false;

  constructor(private readonly options: TaskOptions<In>) {
    this.partition = options.partition;
    this.transactionalId = `${options.definition.name}-${options.partition}`;
    this.logger = options.logger.child({ partition: options.partition });
    this.core = new RecordProcessor(options.definition, options.tables, this.logger, (detail) => {
      options.metrics.lateRecords.inc();
      this.logger.warn({ ...detail }, 'late event: its window is closed; counted, not applied');
    });
    this.producer = options.kafka.producer({
      ...producerDefaults(),
      transactionalId: this.transactionalId,
      transactionTimeout: options.transactionTimeoutMs,
    });
  }

  /**
   * Fences any previous owner, then restores every store from its changelog
   * partition before the first record is processed.
   */
  async init(keepAlive: () => Promise<void>): Promise<void> {
    await this.producer.connect();
    // initializing the transactional id aborts a zombie's open transaction
    this.logger.debug({ transactionalId: this.transactionalId }, 'fencing previous owners');
    const fence = await this.producer.transaction();
    await fence.abort();
    this.logger.debug('fenced; restoring stores');
    // one store at a time: parallel reader groups made their joins slower, not faster, on a loaded broker
    for (const spec of this.options.definition.stores) await this.restoreStore(spec, keepAlive);
    this.lastCommitAt = Date.now();
  }

  private async restoreStore(spec: StoreSpec, keepAlive: () => Promise<void>): Promise<void> {
    const started = Date.now();
    const labels = { store: spec.name, partition: String(this.partition) };
    this.options.metrics.restoreProgress.set(labels, 0);
    let logged = started;
    const restored = await readPartitionsToEnd({
      kafka: this.options.kafka,
      topic: spec.changelogTopic,
      partitions: [this.partition],
      groupPrefix: this.transactionalId,
      logger: this.logger,
      keepAlive,
      onBatch: async (_partition, messages) => {
        for (const message of messages) {
          const key = message.key?.toString('utf8');
          if (key === undefined) continue;
          const value = message.value === null ? null : await spec.codec.decode(message.value);
          this.core.restore(spec.name, key, value);
        }
        this.options.metrics.restoredRecords.inc({ store: spec.name }, messages.length);
      },
      onProgress: ({ read, total }) => {
        this.options.metrics.restoreProgress.set(labels, total === 0 ? 1 : read / total);
        if (Date.now() - logged > 2000) {
          logged = Date.now();
          this.logger.info({ store: spec.name, read, total }, 'restoring');
        }
      },
    });
    this.options.metrics.restoreProgress.set(labels, 1);
    const seconds = (Date.now() - started) / 1000;
    this.logger.info(
      { store: spec.name, changelog: spec.changelogTopic, records: restored, seconds, perSecond: Math.round(restored / Math.max(seconds, 0.001)) },
      'store restored',
    );
  }

  /** Processes a fetched batch. Records that cannot be processed go to the dead-letter topic; the rest flows. */
  async processBatch(batch: Batch, resolveOffset: (offset: string) => void, heartbeat: () => Promise<void>): Promise<void> {
    const { topic } = batch;
    if (!this.committedOffsets.has(topic)) this.committedOffsets.set(topic, batch.firstOffset() ?? batch.messages[0]?.offset ?? '0');
    let sinceHeartbeat = Date.now();
    for (const message of batch.messages) {
      await this.processMessage(topic, message);
      resolveOffset(message.offset);
      this.processedOffsets.set(topic, (BigInt(message.offset) + 1n).toString());
      if (Date.now() - sinceHeartbeat > 1000) {
        sinceHeartbeat = Date.now();
        await heartbeat();
      }
    }
    // past the batch's control records (transaction markers) too
    this.processedOffsets.set(topic, (BigInt(batch.lastOffset()) + 1n).toString());
    this.options.metrics.recordsIn.inc({ topic }, batch.messages.length);
    this.options.metrics.lag.set({ topic, partition: String(this.partition) }, Math.max(0, Number(batch.highWatermark) - Number(this.processedOffsets.get(topic))));
  }

  /**
   * A fetched batch held only transaction markers (kafkajs filters them and
   * never hands such a batch to eachBatch): move past them, or the committed
   * position would stay short of the end.
   */
  skipMarkers(topic: string, lastOffset: string): void {
    const next = (BigInt(lastOffset) + 1n).toString();
    const current = this.processedOffsets.get(topic) ?? this.committedOffsets.get(topic);
    if (current !== undefined && BigInt(next) > BigInt(current)) this.processedOffsets.set(topic, next);
  }

  private async processMessage(topic: string, message: KafkaMessage): Promise<void> {
    const headers = stringHeaders(message.headers);
    const source: DeadLetterSource = { topic, partition: this.partition, offset: message.offset, key: message.key, value: message.value, headers };
    let value: In | null = null;
    if (message.value !== null) {
      try {
        value = (await this.options.codec.decode(topic, message.value)) as In;
      } catch (error) {
        if (error instanceof DecodeError) return this.deadLetter(source, `decode:${error.reason}`, error.message);
        throw error; // the registry is unreachable: transient, retried by the consumer
      }
    }
    const record: InputRecord<In> = {
      topic,
      partition: this.partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value,
      timestamp: Number(message.timestamp),
      headers,
      source,
    };
    const outcome = this.core.process(record);
    if (outcome.kind === 'rejected') return this.deadLetter(source, outcome.code, outcome.message);
    let encoded: { outputs: Array<{ topic: string; message: Message }>; changelogs: Array<{ topic: string; key: string; value: Buffer | null }> };
    try {
      encoded = await this.encode(outcome.forwards, outcome.stores);
    } catch (error) {
      this.core.discard();
      return this.deadLetter(source, 'output-encoding', error instanceof Error ? error.message : String(error));
    }
    this.core.accept();
    for (const { topic: outputTopic, message: output } of encoded.outputs) this.addOutput(outputTopic, output);
    for (const earlier of outcome.earlierRejections) this.deadLetter(earlier.source, earlier.code, earlier.message);
    for (const change of encoded.changelogs) {
      let byKey = this.pendingChangelogs.get(change.topic);
      if (!byKey) this.pendingChangelogs.set(change.topic, (byKey = new Map()));
      byKey.delete(change.key); // keep write order
      byKey.set(change.key, change.value);
      this.pendingCount += 1;
    }
  }

  private async encode(forwards: Forward[], stores: StoreChanges[]) {
    const outputs = await Promise.all(
      forwards.map(async (forward) => ({
        topic: forward.topic,
        message: {
          key: forward.key,
          value: forward.value === null ? null : await this.options.codec.encode(forward.topic, forward.value),
          headers: forward.headers,
        },
      })),
    );
    const changelogs: Array<{ topic: string; key: string; value: Buffer | null }> = [];
    for (const { spec, changes } of stores) {
      for (const { key, value } of changes) {
        changelogs.push({ topic: spec.changelogTopic, key, value: value === null ? null : await spec.codec.encode(value) });
      }
    }
    return { outputs, changelogs };
  }

  private deadLetter(source: DeadLetterSource, code: string, message: string): void {
    const record = deadLetter(source, this.options.definition.name, code, message);
    this.addOutput(record.topic, { key: record.key, value: record.value, headers: record.headers });
    this.options.metrics.deadLetters.inc({ topic: source.topic, code });
    this.logger.warn({ topic: source.topic, offset: source.offset, code, reason: message }, 'record sent to the dead-letter topic');
  }

  private addOutput(topic: string, message: Message): void {
    let pending = this.pendingOutputs.get(topic);
    if (!pending) this.pendingOutputs.set(topic, (pending = { messages: [] }));
    pending.messages.push(message);
    this.pendingCount += 1;
  }

  /** Records waiting for the next commit (outputs, dead letters and changelog writes). */
  uncommitted(): number {
    return this.pendingCount;
  }

  hasProgress(): boolean {
    for (const [topic, offset] of this.processedOffsets) if (this.committedOffsets.get(topic) !== offset) return true;
    return this.pendingCount > 0;
  }

  sinceLastCommitMs(): number {
    return Date.now() - this.lastCommitAt;
  }

  /**
   * Commits everything since the last commit in one transaction. On failure
   * the transaction is aborted, the stores roll back and the error is
   * rethrown: the caller must rewind the consumer to committedPositions().
   */
  async commit(consumerGroupId: string): Promise<void> {
    if (!this.hasProgress()) {
      this.lastCommitAt = Date.now();
      return;
    }
    const timer = this.options.metrics.commitLatency.startTimer();
    const topicMessages = [...this.pendingOutputs].map(([topic, { messages }]) => ({ topic, messages }));
    for (const [topic, byKey] of this.pendingChangelogs) {
      // changelogs are written to the task's own partition, whatever a key would hash to,
      // so a restore of this partition finds exactly this task's keys
      topicMessages.push({ topic, messages: [...byKey].map(([key, value]) => ({ key, value, partition: this.partition })) });
    }
    const offsets = [...this.processedOffsets].map(([topic, offset]) => ({ topic, partitions: [{ partition: this.partition, offset }] }));
    const transaction = await this.producer.transaction();
    try {
      // one request per chunk: a whole commit in one record batch can exceed the broker's message.max.bytes
      for (const chunk of chunkBySize(topicMessages, MAX_REQUEST_BYTES)) await transaction.sendBatch({ topicMessages: chunk });
      await transaction.sendOffsets({ consumerGroupId, topics: offsets });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => this.logger.warn({ err: abortError }, 'abort after a failed commit failed too'));
      this.options.metrics.commits.inc({ result: 'aborted' });
      this.rollback();
      throw error;
    }
    timer();
    this.options.metrics.commits.inc({ result: 'committed' });
    for (const { topic, messages } of topicMessages) this.options.metrics.recordsOut.inc({ topic }, messages.length);
    this.core.commit();
    for (const [topic, offset] of this.processedOffsets) this.committedOffsets.set(topic, offset);
    this.clearPending();
    this.lastCommitAt = Date.now();
    for (const { name, size } of this.core.storeSizes()) this.options.metrics.storeSize.set({ store: name, partition: String(this.partition) }, size);
  }

  /** Drops everything since the last commit: buffered records and staged store writes. */
  rollback(): void {
    this.core.rollback();
    this.clearPending();
    this.processedOffsets.clear();
  }

  /** The committed positions, read after fencing: where this task starts. */
  startAt(positions: ReadonlyMap<string, string>): void {
    this.processedOffsets.clear();
    for (const [topic, offset] of positions) this.committedOffsets.set(topic, offset);
  }

  /** Where the consumer must resume after a rollback: the committed positions. */
  committedPositions(): Array<{ topic: string; offset: string }> {
    return [...this.committedOffsets].map(([topic, offset]) => ({ topic, offset }));
  }

  storeSizes(): Array<{ name: string; size: number }> {
    return this.core.storeSizes();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rollback();
    this.core.clear();
    for (const spec of this.options.definition.stores) {
      this.options.metrics.storeSize.remove({ store: spec.name, partition: String(this.partition) });
    }
    await this.producer.disconnect();
  }

  private clearPending(): void {
    this.pendingOutputs.clear();
    this.pendingChangelogs.clear();
    this.pendingCount = 0;
  }
}

/** Well under the broker's default message.max.bytes (1 MiB), which bounds one partition's record batch. */
const MAX_REQUEST_BYTES = 512 * 1024;

type TopicMessages = Array<{ topic: string; messages: Message[] }>;

function messageSize(message: Message): number {
  const length = (part: Message['key'] | Message['value']) => (part == null ? 0 : typeof part === 'string' ? Buffer.byteLength(part) : part.length);
  return length(message.key) + length(message.value) + 64;
}

function chunkBySize(topicMessages: TopicMessages, maxBytes: number): TopicMessages[] {
  const chunks: TopicMessages[] = [];
  let chunk = new Map<string, Message[]>();
  let size = 0;
  const close = () => {
    if (size === 0) return;
    chunks.push([...chunk].map(([topic, messages]) => ({ topic, messages })));
    chunk = new Map();
    size = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const bytes = messageSize(message);
      if (size + bytes > maxBytes) close();
      const list = chunk.get(topic) ?? [];
      list.push(message);
      chunk.set(topic, list);
      size += bytes;
    }
  }
  close();
  return chunks;
}

