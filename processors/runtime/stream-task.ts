/**
 * One task: one partition number of the processor's co-partitioned inputs,
 * with its stores. It processes fetched records into outputs, dead letters
 * and store writes, and keeps them until the instance commits: the instance
 * seals every task's work into one transaction of its single producer
 * (EOS v2, stream-app.ts), then tells each task whether it landed.
 *
 * Three positions per input topic: processed (what the next commit would
 * carry), sealed (what the commit under way carries) and committed (what a
 * rollback returns to).
 *
 * Outputs are encoded as they are forwarded; changelog values are encoded
 * when sealed, once per key, since only the last write per key is sent.
 * Should one of them fail to encode, the task rolls back and processes again
 * encoding every record's writes, so the record that wrote the bad value is
 * dead-lettered like any other it cannot encode.
 */
import type { OutgoingRecord } from '../../lib/kafka/clients';
import type { FetchedBatch, FetchedRecord } from '../../lib/kafka/partition-fetcher';
import type { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';
import type { Logger } from '../../lib/logger';
import { DecodeError, TaggedValue } from '../../lib/serde';
import { decodeSoon, RecordCodec } from '../../lib/streaming/codec';
import { deadLetter, DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { ProcessorMetrics } from './metrics';
import type { InputRecord, ProcessorDefinition, ReadonlyTable, StoreSpec } from './processor';
import { EarlierRejection, Forward, RecordProcessor, StoreChanges } from './record-processor';

export type OutputMessage = OutgoingRecord;

export interface TaskOptions<In extends TaggedValue> {
  readonly definition: ProcessorDefinition<In>;
  readonly partition: number;
  readonly codec: RecordCodec;
  readonly tables: ReadonlyMap<string, ReadonlyTable<unknown>>;
  readonly metrics: ProcessorMetrics;
  readonly logger: Logger;
}

/** The last write of a key to a changelog since the last seal: a value (null: tombstone), encoded already or not. */
interface PendingWrite {
  readonly value: unknown;
  readonly bytes?: Buffer | null;
}

/** What a task hands to the instance's transaction. */
export interface SealedWork {
  readonly messages: OutputMessage[];
  /** Input topic → next offset to consume. */
  readonly positions: ReadonlyMap<string, bigint>;
}

/** A changelog value could not be encoded when sealed; nothing was sealed. */
export class ChangelogEncodingError extends Error {
  constructor(changelog: string, key: string, cause: unknown) {
    super(`the value of key ${key} for changelog ${changelog} cannot be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ChangelogEncodingError';
  }
}

export class StreamTask<In extends TaggedValue> {
  readonly partition: number;
  private readonly core: RecordProcessor<In>;
  private readonly logger: Logger;
  private pendingOutputs: OutputMessage[] = [];
  /** changelog topic → its store and each key's last write */
  private readonly pendingChangelogs = new Map<string, { spec: StoreSpec; writes: Map<string, PendingWrite> }>();
  /** Set after a changelog value failed to encode, until the next commit lands. */
  private encodeEachRecord = false;
  private pendingCount = 0;
  private readonly processedOffsets = new Map<string, bigint>();
  private readonly sealedOffsets = new Map<string, bigint>();
  private readonly committedOffsets = new Map<string, bigint>();
  private sealed = false;

  constructor(private readonly options: TaskOptions<In>) {
    this.partition = options.partition;
    this.logger = options.logger.child({ partition: options.partition });
    this.core = new RecordProcessor(options.definition, options.tables, this.logger, (detail) => {
      options.metrics.lateRecords.inc();
      this.logger.warn({ ...detail }, 'late event: its window is closed; counted, not applied');
    });
  }

  /** Restores every store from its changelog partition, before the first record is processed. */
  async restore(reader: PartitionRangeReader): Promise<void> {
    await Promise.all(this.options.definition.stores.map(async (spec) => this.restoreStore(spec, reader)));
  }

  private async restoreStore(spec: StoreSpec, reader: PartitionRangeReader): Promise<void> {
    const started = Date.now();
    const labels = { store: spec.name, partition: String(this.partition) };
    this.options.metrics.restoreProgress.set(labels, 0);
    let logged = started;
    const restored = await reader.read(spec.changelogTopic, this.partition, {
      onRecords: async (records) => {
        // only a key's last write in the batch counts: the writes it overwrites are never decoded
        const latest = new Map<string, Buffer | null>();
        for (const record of records) {
          const key = record.key?.toString('utf8');
          if (key !== undefined) latest.set(key, record.value);
        }
        for (const [key, bytes] of latest) {
          let value = bytes === null ? null : spec.codec.decode(bytes);
          if (value instanceof Promise) value = await value;
          this.core.restore(spec.name, key, value);
        }
        this.options.metrics.restoredRecords.inc({ store: spec.name }, records.length);
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
  async processBatch(batch: FetchedBatch): Promise<void> {
    const { topic } = batch;
    // where this task stands: a record before it was processed already (since the last commit or rollback)
    const position = this.processedOffsets.get(topic) ?? this.committedOffsets.get(topic);
    const next = BigInt(batch.nextOffset);
    if (position !== undefined && next <= position) return;
    let sliceStart = performance.now();
    for (const record of batch.records) {
      if (position !== undefined && BigInt(record.offset) < position) continue;
      const processing = this.processRecord(topic, record);
      if (processing) await processing;
      if (performance.now() - sliceStart < SLICE_MS) continue;
      // let the replies of a transaction under way in: each waits for the event loop
      await new Promise(setImmediate);
      sliceStart = performance.now();
    }
    // Positions move once per batch: a failure part way rolls back to the last commit anyway.
    // A batch past markers or aborted records moves the position even with no record in it.
    this.processedOffsets.set(topic, next);
    this.options.metrics.recordsIn.inc({ topic }, batch.records.length);
    this.options.metrics.lag.set({ topic, partition: String(this.partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - next)));
  }

  /** Synchronous unless decoding must wait for the registry or an output must be encoded. */
  private processRecord(topic: string, record: FetchedRecord): Promise<void> | void {
    const source: DeadLetterSource = { topic, partition: this.partition, offset: record.offset, key: record.key, value: record.value, headers: record.headers };
    if (record.value === null) return this.apply(topic, record, source, null);
    let decoded;
    try {
      decoded = decodeSoon(this.options.codec, topic, record.value);
    } catch (error) {
      return this.undecodable(source, error);
    }
    if (decoded instanceof Promise) {
      return decoded.then(
        (value) => this.apply(topic, record, source, value as In),
        (error: unknown) => this.undecodable(source, error),
      );
    }
    return this.apply(topic, record, source, decoded as In);
  }

  private undecodable(source: DeadLetterSource, error: unknown): void {
    if (error instanceof DecodeError) return this.deadLetter(source, `decode:${error.reason}`, error.message);
    throw error; // the registry is unreachable: transient, retried from the last commit
  }

  private apply(topic: string, fetched: FetchedRecord, source: DeadLetterSource, value: In | null): Promise<void> | void {
    const record: InputRecord<In> = {
      topic,
      partition: this.partition,
      offset: fetched.offset,
      key: fetched.key?.toString('utf8') ?? null,
      value,
      timestamp: fetched.timestamp,
      headers: fetched.headers,
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

  /** Keeps the processed record's effects until the next seal. */
  private accept(stores: StoreChanges[], outputs: OutputMessage[], earlierRejections: EarlierRejection[], changelogBytes?: Array<Buffer | null>): void {
    this.core.accept();
    for (const output of outputs) this.addOutput(output);
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
    const outputs: OutputMessage[] = [];
    for (const forward of forwards) {
      const value = forward.value === null ? undefined : await this.options.codec.encode(forward.topic, forward.value);
      outputs.push(message(forward.topic, Buffer.from(forward.key), value, forward.headers));
    }
    if (!this.encodeEachRecord) return { outputs };
    const changelogBytes: Array<Buffer | null> = [];
    for (const { spec, changes } of stores) {
      for (const { value } of changes) changelogBytes.push(value === null ? null : await spec.codec.encode(value));
    }
    return { outputs, changelogBytes };
  }

  private deadLetter(source: DeadLetterSource, code: string, reason: string): void {
    const record = deadLetter(source, this.options.definition.name, code, reason);
    this.addOutput(message(record.topic, record.key ?? undefined, record.value ?? undefined, record.headers));
    this.options.metrics.deadLetters.inc({ topic: source.topic, code });
    this.logger.warn({ topic: source.topic, offset: source.offset, code, reason }, 'record sent to the dead-letter topic');
  }

  private addOutput(output: OutputMessage): void {
    this.pendingOutputs.push(output);
    this.pendingCount += 1;
  }

  /** Records waiting for the next commit (outputs, dead letters and changelog writes). */
  uncommitted(): number {
    return this.pendingCount;
  }

  /** Processed since the last seal: what the next commit would carry. */
  hasProgress(): boolean {
    for (const [topic, offset] of this.processedOffsets) if ((this.sealedOffsets.get(topic) ?? this.committedOffsets.get(topic)) !== offset) return true;
    return this.pendingCount > 0;
  }

  /**
   * Seals everything processed since the last seal for the instance's
   * transaction: returns its records and positions, or undefined when there
   * is nothing to commit. Processing may go on meanwhile, into the next
   * commit. committed() or rollback() ends the seal.
   *
   * Throws ChangelogEncodingError (after rolling back) when a changelog
   * value cannot be encoded: the caller rewinds the task, and processing
   * again record by record dead-letters the record that wrote it.
   */
  async seal(): Promise<SealedWork | undefined> {
    if (this.sealed) throw new Error(`task ${this.partition}: sealed already; the commit under way must end first`);
    if (!this.hasProgress()) return undefined;
    const messages = this.pendingOutputs;
    try {
      for (const [topic, { spec, writes }] of this.pendingChangelogs) messages.push(...(await this.changelogMessages(topic, spec, writes)));
    } catch (error) {
      this.rollback();
      this.encodeEachRecord = true;
      throw error;
    }
    const positions = new Map(this.processedOffsets);
    this.clearPending();
    this.core.seal();
    for (const [topic, offset] of positions) this.sealedOffsets.set(topic, offset);
    this.sealed = true;
    return { messages, positions };
  }

  /** The sealed work landed: its store writes become committed state and its positions the committed ones. */
  committed(): void {
    if (!this.sealed) return;
    // safe while processing goes on: the sealed writes become committed ones, and reads see the same values
    this.core.commit();
    for (const [topic, offset] of this.sealedOffsets) this.committedOffsets.set(topic, offset);
    this.sealed = false;
    this.encodeEachRecord = false;
    for (const { name, size } of this.core.storeSizes()) this.options.metrics.storeSize.set({ store: name, partition: String(this.partition) }, size);
  }

  /** The sealed positions, if a seal is open: what Kafka shows when the commit under way landed. */
  sealedPositions(): ReadonlyMap<string, bigint> | undefined {
    return this.sealed ? this.sealedOffsets : undefined;
  }

  /**
   * Changelogs are written to the task's own partition, whatever a key would
   * hash to, so a restore of this partition finds exactly this task's keys.
   */
  private async changelogMessages(topic: string, spec: StoreSpec, writes: Map<string, PendingWrite>): Promise<OutputMessage[]> {
    const messages: OutputMessage[] = [];
    for (const [key, { value, bytes }] of writes) {
      let encoded = bytes;
      if (encoded === undefined) {
        try {
          encoded = value === null ? null : await spec.codec.encode(value);
        } catch (error) {
          throw new ChangelogEncodingError(topic, key, error);
        }
      }
      messages.push({ topic, key: Buffer.from(key), value: encoded ?? undefined, partition: this.partition });
    }
    return messages;
  }

  /** Drops everything since the last commit: buffered records, staged and sealed store writes, and the positions past it. */
  rollback(): void {
    this.core.rollback();
    this.clearPending();
    this.processedOffsets.clear();
    this.sealedOffsets.clear();
    this.sealed = false;
  }

  /** The committed positions, read from Kafka when the task is (re)started: where it starts (after a rollback). */
  startAt(positions: ReadonlyMap<string, bigint>): void {
    this.rollback();
    this.committedOffsets.clear();
    for (const [topic, offset] of positions) this.committedOffsets.set(topic, offset);
  }

  /** Where reading resumes after a rollback: the committed positions. */
  committedPositions(): ReadonlyMap<string, bigint> {
    return this.committedOffsets;
  }

  storeSizes(): Array<{ name: string; size: number }> {
    return this.core.storeSizes();
  }

  close(): void {
    this.rollback();
    this.core.clear();
    for (const spec of this.options.definition.stores) {
      this.options.metrics.storeSize.remove({ store: spec.name, partition: String(this.partition) });
    }
  }

  private clearPending(): void {
    this.pendingOutputs = [];
    this.pendingChangelogs.clear();
    this.pendingCount = 0;
  }
}

/** A record to produce; a null value is a tombstone. */
function message(topic: string, key: Buffer | undefined, value: Buffer | undefined, headers: Record<string, string>): OutputMessage {
  return { topic, key, value, headers };
}

/** How long processing runs before it lets other work (replies to the transaction under way) in. */
const SLICE_MS = 2;
