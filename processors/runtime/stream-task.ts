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
 * Records are buffered until commit. A commit seals them (and the stores'
 * staged writes) into one transaction and sends it while processing goes
 * on into the next: a transaction costs several broker round trips, and
 * waiting for them would stall the whole consumer (kafkajs fetches again
 * only once every partition's batch is handled). At most one transaction
 * is under way per task (its producer allows no more). A failed one is only
 * noted here; the owner rolls back everything since the last commit under
 * its lock, after the transaction settled (rollback() refuses before).
 *
 * Outputs are encoded as they are forwarded; changelog values are encoded
 * at commit, once per key, since only the last write per key is sent.
 * Should one of them fail to encode, the task rolls back and processes again
 * encoding every record's writes, so the record that wrote the bad value is
 * dead-lettered like any other it cannot encode.
 */
import type { Batch, Kafka, KafkaMessage, Message, Producer, Transaction } from 'kafkajs';
import { producerDefaults } from '../../lib/clients/kafka';
import { stringHeaders } from '../../lib/clients/kafka-headers';
import type { Logger } from '../../lib/logger';
import { DecodeError, TaggedValue } from '../../lib/serde';
import { decodeSoon, RecordCodec } from './codec';
import { deadLetter, DeadLetterSource } from './dead-letter';
import { requestChunks } from '../../lib/kafka/request-chunks';
import { whileConcurrent } from './while-concurrent';
import type { ProcessorMetrics } from './metrics';
import type { PartitionReader } from './partition-reader';
import type { InputRecord, ProcessorDefinition, ReadonlyTable, StoreSpec } from './processor';
import { EarlierRejection, Forward, RecordProcessor, StoreChanges } from './record-processor';

export interface TaskOptions<In extends TaggedValue> {
  readonly kafka: Kafka;
  readonly definition: ProcessorDefinition<In>;
  readonly partition: number;
  readonly codec: RecordCodec;
  /** Reads the changelog partitions on restore (one per application instance). */
  readonly changelogReader: PartitionReader;
  readonly tables: ReadonlyMap<string, ReadonlyTable<unknown>>;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
  /** Transactions older than this are aborted by the broker (a dead instance's leftovers). */
  readonly transactionTimeoutMs: number;
}

/** Pending records of one topic. */
interface PendingTopic {
  readonly messages: Message[];
}

/** The last write of a key to a changelog since the last commit: a value (null: tombstone), encoded already or not. */
interface PendingWrite {
  readonly value: unknown;
  readonly bytes?: Buffer | null;
}

/** How a transaction ended. */
export type CommitOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** A changelog value could not be encoded at commit; nothing was sent. */
export class ChangelogEncodingError extends Error {
  constructor(changelog: string, key: string, cause: unknown) {
    super(`the value of key ${key} for changelog ${changelog} cannot be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ChangelogEncodingError';
  }
}

export class StreamTask<In extends TaggedValue> {
  readonly partition: number;
  readonly transactionalId: string;
  private readonly core: RecordProcessor<In>;
  private readonly producer: Producer;
  private readonly logger: Logger;
  private readonly pendingOutputs = new Map<string, PendingTopic>();
  /** changelog topic → its store and each key's last write */
  private readonly pendingChangelogs = new Map<string, { spec: StoreSpec; writes: Map<string, PendingWrite> }>();
  /** Set after a changelog value failed to encode at commit, until the next commit succeeds. */
  private encodeEachRecord = false;
  private pendingCount = 0;
  /** input topic → next offset to consume, as processed (not yet committed) */
  private readonly processedOffsets = new Map<string, string>();
  /** input topic → next offset as committed in Kafka (what a rollback returns to) */
  private readonly committedOffsets = new Map<string, string>();
  /** input topic → next offset as of the transaction sent last (committed or under way) */
  private readonly sealedOffsets = new Map<string, string>();
  /** The transaction under way, if any. */
  private sending: Promise<CommitOutcome> | undefined;
  /** Why the last transaction failed, until rollback(): nothing may be committed on top of it. */
  private failure: { readonly error: unknown } | undefined;
  /** When the last commit started. */
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
      // kafkajs waits 300 ms before its first retry; a transaction begun while the broker still writes
      // the previous one's markers is refused (CONCURRENT_TRANSACTIONS) for only a few milliseconds.
      // Bounded (about 10 s in all), unlike kafkajs's default for idempotent producers: a commit that
      // cannot get through fails, and the task is rebuilt from what Kafka committed, instead of
      // retrying forever while the partition waits. A transaction's outcome never depends on retries.
      retry: { initialRetryTime: 10, maxRetryTime: 2_000, retries: 10 },
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
    // every store at once: one reader consumer fetches their partitions together
    await Promise.all(this.options.definition.stores.map(async (spec) => this.restoreStore(spec, keepAlive)));
    this.lastCommitAt = Date.now();
  }

  private async restoreStore(spec: StoreSpec, keepAlive: () => Promise<void>): Promise<void> {
    const started = Date.now();
    const labels = { store: spec.name, partition: String(this.partition) };
    this.options.metrics.restoreProgress.set(labels, 0);
    let logged = started;
    const restored = await this.options.changelogReader.read(spec.changelogTopic, this.partition, {
      keepAlive,
      onBatch: async (_partition, messages) => {
        // only a key's last write in the batch counts: the writes it overwrites are never decoded
        const latest = new Map<string, Buffer | null>();
        for (const message of messages) {
          const key = message.key?.toString('utf8');
          if (key !== undefined) latest.set(key, message.value);
        }
        for (const [key, bytes] of latest) {
          let value = bytes === null ? null : spec.codec.decode(bytes);
          if (value instanceof Promise) value = await value;
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
    let sliceStart = performance.now();
    for (const message of batch.messages) {
      const processing = this.processMessage(topic, message);
      if (processing) await processing;
      if (performance.now() - sliceStart < SLICE_MS) continue;
      // let the replies of transactions under way in: each waits for the event loop
      await new Promise(setImmediate);
      sliceStart = performance.now();
      if (Date.now() - sinceHeartbeat > 1000) {
        sinceHeartbeat = Date.now();
        await heartbeat();
      }
    }
    // Positions move once per batch: a failure part way rolls back to the last commit anyway.
    // kafkajs resolves its last message past the batch's control records (transaction markers) too.
    const last = batch.messages[batch.messages.length - 1];
    if (last) resolveOffset(last.offset);
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

  /** Synchronous unless decoding must wait for the registry or an output must be encoded. */
  private processMessage(topic: string, message: KafkaMessage): Promise<void> | void {
    const headers = stringHeaders(message.headers);
    const source: DeadLetterSource = { topic, partition: this.partition, offset: message.offset, key: message.key, value: message.value, headers };
    if (message.value === null) return this.apply(topic, message, source, null);
    let decoded;
    try {
      decoded = decodeSoon(this.options.codec, topic, message.value);
    } catch (error) {
      return this.undecodable(source, error);
    }
    if (decoded instanceof Promise) {
      return decoded.then(
        (value) => this.apply(topic, message, source, value as In),
        (error: unknown) => this.undecodable(source, error),
      );
    }
    return this.apply(topic, message, source, decoded as In);
  }

  private undecodable(source: DeadLetterSource, error: unknown): void {
    if (error instanceof DecodeError) return this.deadLetter(source, `decode:${error.reason}`, error.message);
    throw error; // the registry is unreachable: transient, retried by the consumer
  }

  private apply(topic: string, message: KafkaMessage, source: DeadLetterSource, value: In | null): Promise<void> | void {
    const { headers } = source;
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
    if (outcome.forwards.length === 0 && !this.encodeEachRecord) return this.accept(outcome.stores, [], outcome.earlierRejections);
    return this.encode(outcome.forwards, outcome.stores).then(
      ({ outputs, changelogBytes }) => this.accept(outcome.stores, outputs, outcome.earlierRejections, changelogBytes),
      (error: unknown) => {
        this.core.discard();
        this.deadLetter(source, 'output-encoding', error instanceof Error ? error.message : String(error));
      },
    );
  }

  /** Keeps the processed record's effects until the next commit. */
  private accept(stores: StoreChanges[], outputs: Array<{ topic: string; message: Message }>, earlierRejections: EarlierRejection[], changelogBytes?: Array<Buffer | null>): void {
    this.core.accept();
    for (const { topic, message } of outputs) this.addOutput(topic, message);
    for (const earlier of earlierRejections) this.deadLetter(earlier.source, earlier.code, earlier.message);
    let at = 0;
    for (const { spec, changes } of stores) {
      let pending = this.pendingChangelogs.get(spec.changelogTopic);
      if (!pending) this.pendingChangelogs.set(spec.changelogTopic, (pending = { spec, writes: new Map() }));
      for (const { key, value } of changes) {
        pending.writes.delete(key); // keep write order
        pending.writes.set(key, { value, bytes: changelogBytes?.[at++] });
        this.pendingCount += 1;
      }
    }
  }

  /** The forwards, and (when encoding each record) the changelog writes: a failure rejects the record. */
  private async encode(forwards: Forward[], stores: StoreChanges[]) {
    const outputs: Array<{ topic: string; message: Message }> = [];
    for (const forward of forwards) {
      const value = forward.value === null ? null : await this.options.codec.encode(forward.topic, forward.value);
      outputs.push({ topic: forward.topic, message: { key: forward.key, value, headers: forward.headers } });
    }
    if (!this.encodeEachRecord) return { outputs };
    const changelogBytes: Array<Buffer | null> = [];
    for (const { spec, changes } of stores) {
      for (const { value } of changes) changelogBytes.push(value === null ? null : await spec.codec.encode(value));
    }
    return { outputs, changelogBytes };
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

  /** Processed since the last commit started: what the next one would carry. */
  hasProgress(): boolean {
    for (const [topic, offset] of this.processedOffsets) if ((this.sealedOffsets.get(topic) ?? this.committedOffsets.get(topic)) !== offset) return true;
    return this.pendingCount > 0;
  }

  sinceLastCommitMs(): number {
    return Date.now() - this.lastCommitAt;
  }

  /** A transaction is under way. */
  committing(): boolean {
    return this.sending !== undefined;
  }

  /** The last transaction failed and nothing was rolled back since: the error, else undefined. */
  commitFailure(): { readonly error: unknown } | undefined {
    return this.failure;
  }

  /** Resolves when no transaction is under way any more. */
  async settled(): Promise<void> {
    await this.sending;
  }

  /**
   * Seals everything processed since the last commit into one transaction
   * and starts sending it; returns its outcome (a promise that never
   * rejects), or undefined when there was nothing to commit. Processing may
   * go on meanwhile. When the transaction commits, its store writes become
   * committed state and its positions the committed ones; when it fails, it
   * is aborted and commitFailure() says so until the owner calls rollback()
   * and rewinds the consumer to committedPositions().
   *
   * Throws ChangelogEncodingError (after rolling back) when a changelog
   * value cannot be encoded: the caller rewinds, and processing again
   * record by record dead-letters the record that wrote it.
   */
  async beginCommit(consumerGroupId: string): Promise<{ readonly outcome: Promise<CommitOutcome> } | undefined> {
    if (this.sending !== undefined || this.failure !== undefined) throw new Error(`task ${this.transactionalId}: the last transaction is still under way or failed`);
    if (!this.hasProgress()) {
      this.lastCommitAt = Date.now();
      return undefined;
    }
    const topicMessages = [...this.pendingOutputs].map(([topic, { messages }]) => ({ topic, messages }));
    try {
      for (const [topic, { spec, writes }] of this.pendingChangelogs) topicMessages.push({ topic, messages: await this.changelogMessages(topic, spec, writes) });
    } catch (error) {
      this.rollback();
      this.encodeEachRecord = true;
      throw error;
    }
    const offsets = new Map(this.processedOffsets);
    this.clearPending();
    this.core.seal();
    for (const [topic, offset] of offsets) this.sealedOffsets.set(topic, offset);
    this.lastCommitAt = Date.now();
    const outcome = this.send(consumerGroupId, topicMessages, offsets);
    this.sending = outcome;
    // wrapped: an async function would flatten a returned promise into its own
    return { outcome };
  }

  private async send(consumerGroupId: string, topicMessages: TopicMessages, offsets: ReadonlyMap<string, string>): Promise<CommitOutcome> {
    const timer = this.options.metrics.commitLatency.startTimer();
    const offsetTopics = [...offsets].map(([topic, offset]) => ({ topic, partitions: [{ partition: this.partition, offset }] }));
    let transaction: Transaction | undefined;
    try {
      const txn = await this.producer.transaction();
      transaction = txn;
      // one request per chunk: a whole commit in one record batch can exceed the broker's message.max.bytes
      for (const chunk of requestChunks(topicMessages.flatMap(({ topic, messages }) => messages.map((message) => ({ topic, message, key: bytes(message.key), value: bytes(message.value) }))))) {
        await txn.sendBatch({ topicMessages: byTopic(chunk) });
      }
      await whileConcurrent(() => txn.sendOffsets({ consumerGroupId, topics: offsetTopics }));
      await txn.commit();
    } catch (error) {
      // Only to release the outputs' last stable offset sooner: the task is rebuilt, and initializing
      // its transactional id again aborts whatever is still open. A broker that is away would keep it waiting.
      await abortWithin(transaction, ABORT_WAIT_MS, this.logger);
      this.options.metrics.commits.inc({ result: 'aborted' });
      this.failure = { error };
      this.sending = undefined;
      return { ok: false, error };
    }
    timer();
    this.options.metrics.commits.inc({ result: 'committed' });
    for (const { topic, messages } of topicMessages) this.options.metrics.recordsOut.inc({ topic }, messages.length);
    // Safe while processing goes on: the sealed writes become committed ones, and reads see the same values.
    this.core.commit();
    for (const [topic, offset] of offsets) this.committedOffsets.set(topic, offset);
    this.encodeEachRecord = false;
    this.sending = undefined;
    for (const { name, size } of this.core.storeSizes()) this.options.metrics.storeSize.set({ store: name, partition: String(this.partition) }, size);
    return { ok: true };
  }

  /**
   * Changelogs are written to the task's own partition, whatever a key would
   * hash to, so a restore of this partition finds exactly this task's keys.
   */
  private async changelogMessages(topic: string, spec: StoreSpec, writes: Map<string, PendingWrite>): Promise<Message[]> {
    const messages: Message[] = [];
    for (const [key, { value, bytes }] of writes) {
      let encoded = bytes;
      if (encoded === undefined) {
        try {
          encoded = value === null ? null : await spec.codec.encode(value);
        } catch (error) {
          throw new ChangelogEncodingError(topic, key, error);
        }
      }
      messages.push({ key, value: encoded, partition: this.partition });
    }
    return messages;
  }

  /** Drops everything since the last commit: buffered records and staged and sealed store writes. Not while a transaction is under way. */
  rollback(): void {
    if (this.sending !== undefined) throw new Error(`task ${this.transactionalId}: cannot roll back while a transaction is under way (await settled() first)`);
    this.core.rollback();
    this.clearPending();
    this.processedOffsets.clear();
    this.sealedOffsets.clear();
    this.failure = undefined;
  }

  /** The committed positions, read after fencing or a rebalance: where this task starts (after a rollback). */
  startAt(positions: ReadonlyMap<string, string>): void {
    this.rollback();
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
    await this.settled();
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

type TopicMessages = Array<{ topic: string; messages: Message[] }>;

function bytes(part: Message['key'] | Message['value']): Buffer | null {
  return part == null ? null : typeof part === 'string' ? Buffer.from(part) : part;
}

/** A chunk of records back as kafkajs's per-topic lists, in order. */
function byTopic(chunk: ReadonlyArray<{ topic: string; message: Message }>): TopicMessages {
  const topics = new Map<string, Message[]>();
  for (const { topic, message } of chunk) topics.set(topic, [...(topics.get(topic) ?? []), message]);
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}

/** How long processing runs before it lets other work (replies to transactions under way) in. */
const SLICE_MS = 2;

/** How long a failed transaction's abort may take before the task gives up on it. */
const ABORT_WAIT_MS = 3_000;

async function abortWithin(transaction: Transaction | undefined, ms: number, logger: Logger): Promise<void> {
  if (transaction === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const aborted = transaction.abort().catch((abortError: unknown) => logger.warn({ err: abortError }, 'abort after a failed commit failed too'));
  await Promise.race([aborted, timedOut]);
  clearTimeout(timer);
}
