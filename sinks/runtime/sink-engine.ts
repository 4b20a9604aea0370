/**
 * The at-least-once sink engine: a consumer group (read_committed) over the
 * sink's input topics, records decoded and accumulated across fetches into
 * batches, each batch handed to a SinkWriter, offsets committed only after
 * the writer resolved. The contract with writers is in sink-writer.ts.
 *
 * Why the pieces are as they are:
 * - Reading is the runtime's own fetch loop (lib/kafka/partition-fetcher.ts:
 *   read_committed with aborted transactions filtered correctly, per-partition
 *   pause, resume and seek); group membership is lib/kafka/group-membership.ts.
 *   Each join drops everything uncommitted and starts every assigned
 *   partition from the group's committed offset (the log start where the
 *   group never committed): the records come again, and the writers'
 *   idempotence makes the second write harmless (a write still in flight
 *   finishes, and is not committed).
 * - Batching across fetches: a fetch holds a few hundred records of one
 *   partition, while stores want big writes. The engine takes records into
 *   the pending batch and commits nothing until the batch is written.
 * - Writes in flight: a full batch is sealed and handed to the writer, and
 *   the next one is consumed and decoded while the store works. A writer
 *   that allows it (maxConcurrentWrites > 1) gets the next batch before the
 *   previous one is acknowledged. A batch frees its write slot when the
 *   store acknowledges it, before its offsets are committed; batches are
 *   committed strictly in order, the written ones at the head of the queue
 *   in one commit, so memory holds at most MAX_AWAITING_COMMIT written
 *   batches beside the ones being written and the pending one.
 * - Batching is natural: a due batch is written as soon as there is a free
 *   slot; while there is none it grows, and the write that frees a slot
 *   writes it. So a lone record is not held back, and under load the
 *   batches grow by themselves.
 * - A failing store pauses every assigned partition (heartbeats go on: they
 *   are the client's), keeps the failed batch and retries it with capped
 *   exponential backoff: memory stays bounded, nothing is committed that
 *   was not written, and consumption resumes after the first successful
 *   write, each partition sought back to the first record not taken (what
 *   was fetched meanwhile is dropped by the pause, and read again).
 * - Commits are the group's own (OffsetCommit under the member's
 *   generation), never ahead of the store: a commit refused because the
 *   group moved on drops everything uncommitted until the next join.
 * - Everything that touches the batches runs under one lock (fetched
 *   batches, the linger timer, commits, retries, joins, stop), so a commit
 *   never races a join or another commit. A batch that waited for the lock
 *   while a join, pause or seek changed its partition is stale and dropped
 *   (`current()`): taking it would skip or repeat records.
 * - Kafka faults: start-up waits (with backoff) for Kafka to be reachable;
 *   the fetch loop and the reads of the committed offsets retry with
 *   backoff; a membership the client gives up on is joined again. Only
 *   errors no retry fixes (credentials, permissions) end the service.
 * - /health is ready only while the sink makes progress: not while the
 *   store fails, a partition with lag commits nothing for the stall bound,
 *   or the consumer reaches no broker (lib/streaming/partition-progress.ts).
 */
import { DEFAULT_HEALTH_STALL_TIMEOUT_MS, type KafkaConfig } from '../../lib/config';
import { createConsumer, type Consumer } from '../../lib/kafka/clients';
import { errorIds, isGenerationLost } from '../../lib/kafka/errors';
import { GroupMember, type AssignedPartition } from '../../lib/kafka/group-membership';
import { groupStartPositions, type StartPosition } from '../../lib/kafka/group-positions';
import { PartitionFetcher, type FetchedBatch } from '../../lib/kafka/partition-fetcher';
import { createReader } from '../../lib/kafka/topic-reader';
import { untilKafkaAnswers } from '../../lib/kafka/until-kafka-answers';
import type { Logger } from '../../lib/logger';
import { backoffDelay, KAFKA_RECOVERY_BACKOFF } from '../../lib/retry/backoff';
import { sleep } from '../../lib/retry/retry-until-done';
import { StepTimeoutError, within } from '../../lib/retry/within';
import { PartitionProgress } from '../../lib/streaming/partition-progress';
import type { TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { HealthReport } from '../../lib/streaming/http-endpoint';
import { Lock } from '../../lib/streaming/lock';
import { DeadLetterSender } from './dead-letter-sender';
import { DecodedMessage, decodeMessages } from './decode-message';
import { PartitionOffset, PendingBatch } from './pending-batch';
import { SinkMetrics } from './sink-metrics';
import type { SinkSettings } from './sink-settings';
import type { SinkWriter } from './sink-writer';

export interface SinkFetchSettings {
  readonly maxBytesPerPartition: number;
  readonly maxBytes: number;
  /** Long-poll wait: how long the broker holds a fetch with no new data. */
  readonly maxWaitTimeInMs: number;
}

export const DEFAULT_SINK_FETCH: SinkFetchSettings = { maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024, maxWaitTimeInMs: 100 };

export interface SinkEngineOptions<V extends TaggedValue> {
  readonly kafka: KafkaConfig;
  /** The consumer group id; also the dlq.processor header and the metrics' `sink` label. */
  readonly name: string;
  readonly topics: readonly string[];
  /** TOPIC_PREFIX of the input topics: SinkRecord.catalogTopic is the topic without it. */
  readonly topicPrefix: string;
  readonly codec: RecordCodec;
  readonly writer: SinkWriter<V>;
  readonly logger: Logger;
  readonly settings: SinkSettings;
  readonly fetch?: SinkFetchSettings;
  readonly metrics?: SinkMetrics;
  /** /health is not ready while a partition with lag commits nothing, or the consumer reaches no broker, for this long. */
  readonly stallTimeoutMs?: number;
  /** Called on a fault no retry fixes (credentials, permissions): the service exits. */
  readonly onFatal?: (error: Error) => void;
  /** Observers for benchmarks and tests. */
  readonly hooks?: SinkEngineHooks;
}

export interface SinkEngineHooks {
  /** After each group join, once the partitions assigned are read from their committed offsets. */
  joined?(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** After each successful commit, with the positions committed. */
  committed?(offsets: readonly PartitionOffset[]): void;
}

/** 'rebalancing': between a join (or a refused commit) and the partitions read from their committed offsets; nothing is consumed. */
type EngineState = 'created' | 'starting' | 'running' | 'rebalancing' | 'stopping' | 'stopped' | 'failed';

/** What set a flush or settle going: for logs. */
type Trigger = 'size' | 'time' | 'written' | 'retry' | 'stop';

/** A batch being written (sealed: nothing is added to it any more). */
interface InFlight<V extends TaggedValue> {
  readonly batch: PendingBatch<V>;
  /** The current attempt's write(); resolved at once when there is nothing (more) to write. */
  write: Promise<void>;
  /** The current attempt's write has settled (either way). */
  done: boolean;
  /** The last attempt failed at some stage; the retry starts a new one. */
  failed: boolean;
}

/** Where a failed attempt failed: decides what is retried and labels sink_write_failures_total. */
type FailureStage = 'write' | 'timeout' | 'dead-letter' | 'commit' | 'decode';

/** Written batches whose commit may wait behind the writes in flight. */
const MAX_AWAITING_COMMIT = 4;

/** The group moved to a generation this engine has not handled yet: a commit now would land under the new one. */
class GenerationMovedError extends Error {
  override readonly name = 'GenerationMovedError';
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Heartbeats a third of a session apart, at most 3 s: a member survives two lost ones. */
function heartbeatIntervalOf(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 3));
}

export class SinkEngine<V extends TaggedValue> {
  readonly metrics: SinkMetrics;
  private readonly logger: Logger;
  private readonly lock = new Lock();
  private readonly deadLetters: DeadLetterSender;
  private readonly fetchSettings: SinkFetchSettings;
  private consumer: Consumer | undefined;
  /** Fetches on its own connections: a fetch the broker holds (up to maxWaitTimeInMs) would otherwise hold up the commits queued behind it on the group consumer's. */
  private reader: Consumer | undefined;
  private fetcher: PartitionFetcher | undefined;
  private member: GroupMember | undefined;
  private state: EngineState = 'created';
  private pending = new PendingBatch<V>();
  /** Batches being written, oldest first; committed in this order. */
  private flights: InFlight<V>[] = [];
  /** Input partitions assigned by the join handled last, `topic` → partitions. */
  private assigned = new Map<string, Set<number>>();
  /** The generation of that join: commits go under it or not at all. */
  private generation = -1;
  /** Bumped by every join and refused commit: a read of committed offsets started before is not installed. */
  private preparations = 0;
  /** The committed offsets of the assignment are being read. */
  private preparing = false;
  /** When the engine last stopped consuming for a join (or a refused commit); undefined while running. */
  private rebalancingSince: number | undefined;
  /** Per assigned partition, the offset after the last record taken (into a batch, or past as markers): where a resume reads on. */
  private consumedTo = new Map<string, bigint>();
  private highWatermarks = new Map<string, bigint>();
  /** Consumption is paused because the store (or the registry) is failing. */
  private backingOff = false;
  /** Failed attempts since the last success: the backoff exponent. */
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastFailure: { readonly stage: FailureStage; readonly message: string; readonly at: string } | undefined;
  private lastWriteAt: string | undefined;
  private fatal: Error | undefined;
  /** A join was handled: before the first, the sink consumes nothing and is not ready. */
  private joined = false;
  private readonly progress: PartitionProgress;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: SinkEngineOptions<V>) {
    this.metrics = options.metrics ?? new SinkMetrics(options.name);
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_HEALTH_STALL_TIMEOUT_MS;
    this.progress = new PartitionProgress(this.stallTimeoutMs);
    this.metrics.trackProgress(this.progress);
    this.logger = options.logger.child({ sink: options.name });
    this.deadLetters = new DeadLetterSender(options.kafka, options.name, this.logger, this.metrics);
    this.fetchSettings = options.fetch ?? DEFAULT_SINK_FETCH;
  }

  get groupId(): string {
    return this.options.name;
  }

  /** A Kafka request that takes longer than this (a broker that hangs) is given up and retried. */
  private get stepTimeoutMs(): number {
    return 2 * this.options.settings.sessionTimeoutMs;
  }

  async start(): Promise<void> {
    this.state = 'starting';
    const { writer, settings, kafka, topics } = this.options;
    await writer.start({ sinkName: this.options.name, logger: this.logger.child({ writer: writer.name }), registry: this.metrics.registry });
    const heartbeatIntervalMs = heartbeatIntervalOf(settings.sessionTimeoutMs);
    // the coordinator waits this long for every member to rejoin
    const rebalanceTimeoutMs = 2 * settings.sessionTimeoutMs;
    const consumer = createConsumer(kafka, {
      clientId: this.groupId,
      groupId: this.groupId,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      rebalanceTimeoutMs,
      heartbeatIntervalMs,
    });
    this.consumer = consumer;
    consumer.topics.trackAll(...topics);
    const reader = createReader(kafka, `${this.groupId}-fetch`);
    this.reader = reader;
    this.fetcher = new PartitionFetcher({
      consumer: reader,
      logger: this.logger,
      maxWaitMs: this.fetchSettings.maxWaitTimeInMs,
      maxBytesPerPartition: this.fetchSettings.maxBytesPerPartition,
      maxBytes: this.fetchSettings.maxBytes,
      onBatch: (batch, current) => this.lock.run(async () => this.take(batch, current)),
      onFetch: () => this.progress.contact(),
    });
    this.fetcher.start();
    // onBatch threw: a bug of the engine's, not a Kafka fault
    this.fetcher
      .done()
      .catch((error: unknown) => this.failFatally(error, 'the sink engine failed on a fetched batch; exiting for a supervisor to restart the sink'));
    this.member = new GroupMember({
      consumer,
      logger: this.logger,
      topics,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      rebalanceTimeoutMs,
      heartbeatIntervalMs,
      onJoin: (generation, assignment) =>
        void this.lock.run(async () => this.onJoin(generation, assignment)).catch((error: unknown) => this.failFatally(error, 'handling a group join failed')),
      onContact: () => this.progress.contact(),
      onRejoin: () => this.metrics.groupRejoins.inc(),
      onFatal: (error) => this.failFatally(error, 'the consumer met a fault no retry fixes; exiting for a supervisor to restart the sink'),
      waitingForJoin: () => this.state === 'rebalancing' && !this.preparing,
    });
    await this.member.join();
    this.watchdog = setInterval(() => this.watchLock(), 1_000);
    this.watchdog.unref();
    this.logger.info({ group: this.groupId, topics, batching: settings.batching }, 'sink consuming');
  }

  /** Runs a Kafka step until it succeeds, each attempt bounded in time, logging each wait; gives up on errors no retry fixes (the sink's own among them), or a stop. */
  private untilConnected<T>(what: string, step: () => Promise<T>): Promise<T> {
    return untilKafkaAnswers(what, () => within(this.stepTimeoutMs, what, step), {
      logger: this.logger,
      policy: KAFKA_RECOVERY_BACKOFF,
      stopped: () => this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed',
    });
  }

  private watchLock(): void {
    const heldMs = this.lock.heldForMs();
    if (heldMs !== undefined && heldMs > this.options.settings.sessionTimeoutMs)
      this.logger.warn({ heldMs }, 'the engine lock is held for longer than a session (a request waiting on a broker or a store that does not answer?)');
  }

  /** Under the lock: a new generation. Everything uncommitted is dropped; the committed offsets are read off the lock. */
  private onJoin(generation: number, assignment: readonly AssignedPartition[]): void {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') return;
    // joins are handled in order; one overtaken by a newer generation is moot
    if (generation < this.generation || generation !== this.consumer?.generationId) return;
    this.dropPending('group join');
    this.fetcher?.releaseAll();
    const next = new Map<string, Set<number>>();
    for (const { topic, partition } of assignment) next.set(topic, (next.get(topic) ?? new Set()).add(partition));
    for (const [topic, partitions] of this.assigned) {
      for (const partition of partitions) if (!next.get(topic)?.has(partition)) this.metrics.lag.remove({ topic, partition: String(partition) });
    }
    this.assigned = next;
    this.generation = generation;
    this.joined = true;
    this.consumedTo.clear();
    this.progress.assign(assignment);
    this.logger.info({ generation, assignment: this.assignment() }, 'partitions assigned');
    this.prepare(assignment);
  }

  /** Reads the partitions' committed offsets (retrying while Kafka is away), then starts reading them there unless a newer join or a refused commit came meanwhile. */
  private prepare(assignment: readonly AssignedPartition[]): void {
    const preparation = ++this.preparations;
    this.enterRebalancing();
    this.preparing = true;
    const consumer = this.consumer!;
    void this.untilConnected('read the committed offsets', () => groupStartPositions(consumer, assignment))
      .then((positions) => this.lock.run(async () => this.install(preparation, positions)))
      .catch((error: unknown) => {
        if (preparation === this.preparations && this.state === 'rebalancing')
          this.failFatally(error, 'cannot read the committed offsets; exiting for a supervisor to restart the sink');
      });
  }

  private install(preparation: number, positions: readonly StartPosition[]): void {
    if (preparation !== this.preparations || this.state !== 'rebalancing') return;
    this.preparing = false;
    for (const { topic, partition, offset } of positions) {
      this.fetcher?.assign(topic, partition, offset);
      this.consumedTo.set(keyOf(topic, partition), offset);
      this.progress.committed(topic, partition, offset);
    }
    this.state = 'running';
    this.rebalancingSince = undefined;
    const assignment = this.assignment();
    this.logger.info(
      { generation: this.generation, positions: positions.map(({ topic, partition, offset }) => ({ topic, partition, offset: offset.toString() })) },
      'reading the assigned partitions from their committed offsets',
    );
    this.options.hooks?.joined?.(assignment);
  }

  private assignment(): Record<string, number[]> {
    return Object.fromEntries([...this.assigned].map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)]));
  }

  private failFatally(error: unknown, why: string): void {
    if (this.state === 'failed' || this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'failed';
    this.fatal = error instanceof Error ? error : new Error(String(error));
    clearInterval(this.watchdog);
    this.clearLinger();
    clearTimeout(this.retryTimer);
    this.logger.error({ err: error }, why);
    this.options.onFatal?.(this.fatal);
  }

  /** Under the lock: takes a fetched batch into the pending batch, writing whenever it is full. */
  private async take(batch: FetchedBatch, current: () => boolean): Promise<void> {
    // fetched before a join, a pause or a seek that held the lock while this waited: read again from where those set
    if (this.state !== 'running' || this.backingOff || !current()) return;
    const { topic, partition, records } = batch;
    const key = keyOf(topic, partition);
    this.highWatermarks.set(key, BigInt(batch.highWatermark));
    this.progress.observedEnd(topic, partition, batch.highWatermark);
    const at = { topic, catalogTopic: this.catalogTopic(topic), partition };
    const { maxRecords } = this.options.settings.batching;
    const last = records.length - 1;
    // The commit position moves once per run of records rather than per record: before a write, and at the end of the batch.
    let marked = -1;
    const markTaken = (upTo: number) => {
      if (upTo <= marked) return;
      marked = upTo;
      // the last record moves past the markers and aborted records that follow it in the batch
      const next = upTo === last ? batch.nextOffset : (BigInt(records[upTo]!.offset) + 1n).toString();
      this.pending.advance(topic, partition, next);
      this.consumedTo.set(key, BigInt(next));
    };
    if (records.length === 0) {
      // only markers or aborted records: the group must commit past them too, or it would stay behind the end for ever
      this.pending.advance(topic, partition, batch.nextOffset);
      this.consumedTo.set(key, BigInt(batch.nextOffset));
      this.scheduleLinger();
      return;
    }
    let taken = 0;
    try {
      const { decoded, failure } = await decodeMessages<V>(this.options.codec, at, records);
      for (let i = 0; i < decoded.length; i++) {
        const outcome = decoded[i] as DecodedMessage<V>;
        if (outcome.kind === 'record') this.pending.addRecord(outcome.record);
        else this.pending.addDeadLetter(outcome.deadLetter);
        taken += 1;
        if (this.pending.size() >= maxRecords) {
          markTaken(i);
          if (!(await this.flush('size'))) return;
        }
      }
      if (failure !== undefined) {
        markTaken(decoded.length - 1);
        // the registry is unreachable: this record is not taken; it is read again after the resume
        this.fail('decode', failure.error);
        return;
      }
      markTaken(last);
    } finally {
      this.metrics.recordsIn.inc({ topic }, taken);
      this.metrics.pendingRecords.set(this.pending.size());
    }
    if (this.hasWriteSlot() && this.pendingDue()) await this.flush('time');
    else this.scheduleLinger();
  }

  /**
   * Seals the pending batch and starts writing it, once there is room: at
   * most `writer.maxConcurrentWrites` writes in flight (1 by default), the
   * oldest settled (written, dead letters sent, committed) first, so
   * commits stay in batch order while the next batch is consumed, decoded
   * and planned as the store works. Returns false when a batch in flight
   * failed (the engine now backs off with it) or everything was dropped by
   * a rebalance.
   */
  private async flush(trigger: Trigger): Promise<boolean> {
    this.clearLinger();
    while (!this.hasWriteSlot() || this.flights.length >= this.maxInFlight + MAX_AWAITING_COMMIT) {
      if (!(await this.settleHead(trigger))) return false;
    }
    const batch = this.pending;
    if (!batch.isEmpty()) {
      this.pending = new PendingBatch<V>();
      this.metrics.pendingRecords.set(0);
      this.launch(batch);
    }
    // a stop waits for its last batches
    return trigger === 'stop' ? this.settleAll(trigger) : true;
  }

  private launch(batch: PendingBatch<V>): void {
    const flight: InFlight<V> = { batch, write: Promise.resolve(), done: false, failed: false };
    this.flights.push(flight);
    this.arm(flight);
  }

  /** Starts an attempt: the write, unless the store already acknowledged the batch (a later stage failed). */
  private arm(flight: InFlight<V>): void {
    const { batch } = flight;
    flight.done = false;
    flight.failed = false;
    flight.write = batch.written || batch.records.length === 0 ? Promise.resolve().then(() => void (batch.written = true)) : this.write(batch);
    // settle (commit, or back off) as soon as the store answered, even if no further batch comes along
    const settleWhenDone = () => {
      flight.done = true;
      return this.lock.run(async () => {
        if (this.state === 'running' && !this.backingOff && this.flights.includes(flight)) await this.settleReady();
      });
    };
    flight.write
      .then(settleWhenDone, settleWhenDone)
      .catch((error: unknown) => this.logger.error({ err: error }, 'settling a written batch failed unexpectedly'));
  }

  /**
   * Settles the batches at the head of the queue whose writes have completed,
   * without waiting for one that runs; then writes what is pending if it is
   * due, now that there is room.
   */
  private async settleReady(): Promise<void> {
    while (this.flights[0]?.done === true) {
      if (!(await this.settleHead('written'))) return;
    }
    if (this.hasWriteSlot() && this.pendingDue()) await this.flush('written');
  }

  /** The pending batch is full, or its oldest record has waited long enough. */
  private pendingDue(): boolean {
    const { maxRecords, maxDelayMs } = this.options.settings.batching;
    return this.pending.size() >= maxRecords || (!this.pending.isEmpty() && this.pending.ageMs() >= maxDelayMs);
  }

  private async settleAll(trigger: Trigger): Promise<boolean> {
    while (this.flights.length > 0) {
      if (!(await this.settleHead(trigger))) return false;
    }
    return true;
  }

  /**
   * Waits for the oldest batch in flight, then settles it with the batches
   * behind it that are written already: their dead letters sent, their
   * positions committed at once. Returns false when a stage failed (the
   * batches are kept for the retry and the engine backs off) or everything
   * was dropped by a rebalance.
   */
  private async settleHead(trigger: Trigger): Promise<boolean> {
    const flight = this.flights[0];
    if (flight === undefined) return true;
    let settling: InFlight<V>[];
    let stage: FailureStage = 'write';
    try {
      await flight.write;
      settling = this.writtenHead();
      stage = 'dead-letter';
      for (const { batch } of settling) {
        if (batch.deadLettersSent) continue;
        await within(this.options.settings.writeTimeoutMs, `dead-letter send of ${batch.deadLetters.length} records`, () =>
          this.deadLetters.send(batch.deadLetters),
        );
        batch.deadLettersSent = true;
      }
      stage = 'commit';
      await this.commit(settling.map(({ batch }) => batch));
    } catch (error) {
      if (this.flights[0] !== flight) return false; // dropped meanwhile
      if (stage === 'commit' && (isGenerationLost(error) || error instanceof GenerationMovedError)) {
        this.logger.info(
          { err: errorMessage(error), errors: errorIds(error) },
          'commit refused: the group moved on; the written records will be delivered again after the next join',
        );
        this.awaitJoin('commit refused by the group');
        return false;
      }
      flight.failed = true;
      this.fail(error instanceof StepTimeoutError ? 'timeout' : stage, error, trigger);
      return false;
    }
    this.flights.splice(0, settling.length);
    return this.succeeded(settling.some(({ batch }) => batch.records.length > 0));
  }

  /** The batches at the head of the queue that the store acknowledged, oldest first (the head's write has settled). */
  private writtenHead(): InFlight<V>[] {
    const written: InFlight<V>[] = [];
    for (const flight of this.flights) {
      if (!flight.done || flight.failed || !flight.batch.written) break;
      written.push(flight);
    }
    return written;
  }

  /** Fewer batches are handed to the writer and not yet acknowledged than it may have at once. */
  private hasWriteSlot(): boolean {
    let writing = 0;
    for (const flight of this.flights) if (!flight.batch.written) writing += 1;
    return writing < this.maxInFlight;
  }

  /** Failed batches in flight get a new attempt each, in batch order. */
  private rearmFailed(): void {
    for (const flight of this.flights) if (flight.failed || (flight.done && !flight.batch.written)) this.arm(flight);
  }

  private get maxInFlight(): number {
    return Math.max(1, Math.floor(this.options.writer.maxConcurrentWrites ?? 1));
  }

  private inFlightRecords(): number {
    return this.flights.reduce((sum, flight) => sum + flight.batch.size(), 0);
  }

  private async write(batch: PendingBatch<V>): Promise<void> {
    const { writer, settings } = this.options;
    const timer = this.metrics.writeLatency.startTimer();
    const result = await within(settings.writeTimeoutMs, `${writer.name} write of ${batch.records.length} records`, () => writer.write(batch.records));
    timer();
    this.metrics.batchRecords.observe(batch.records.length);
    batch.addRejections(result.rejected);
    batch.written = true;
    this.lastWriteAt = new Date().toISOString();
  }

  /** Commits the positions of written batches, oldest first, in one request (a later batch's position wins). */
  private async commit(batches: readonly PendingBatch<V>[]): Promise<void> {
    const latest = new Map<string, PartitionOffset>();
    for (const batch of batches) {
      for (const offset of batch.commitOffsets((topic, partition) => this.isAssigned(topic, partition)))
        latest.set(keyOf(offset.topic, offset.partition), offset);
    }
    const offsets = [...latest.values()];
    if (offsets.length > 0) {
      const consumer = this.consumer!;
      // the client commits under its current generation: after a join not handled yet, the partitions may be another member's
      if (consumer.generationId !== this.generation)
        throw new GenerationMovedError(`the group moved from generation ${this.generation} to ${consumer.generationId}`);
      const timer = this.metrics.commitLatency.startTimer();
      await within(this.stepTimeoutMs, 'committing the offsets', () =>
        consumer.commit({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: BigInt(offset), leaderEpoch: -1 })) }),
      );
      timer();
      this.options.hooks?.committed?.(offsets);
    }
    for (const batch of batches) for (const [topic, count] of batch.writtenByTopic()) this.metrics.recordsWritten.inc({ topic }, count);
    for (const { topic, partition, offset } of offsets) {
      this.progress.committed(topic, partition, offset);
      const high = this.highWatermarks.get(keyOf(topic, partition));
      if (high !== undefined) this.metrics.lag.set({ topic, partition: String(partition) }, Number(high > BigInt(offset) ? high - BigInt(offset) : 0n));
    }
  }

  /** The group moved on without this member's commit: everything uncommitted is dropped, nothing is read until the next join assigns partitions again. */
  private awaitJoin(reason: string): void {
    this.dropPending(reason);
    this.fetcher?.releaseAll();
    this.consumedTo.clear();
    this.preparations += 1;
    this.preparing = false;
    this.enterRebalancing();
  }

  private enterRebalancing(): void {
    if (this.state !== 'rebalancing') this.rebalancingSince = Date.now();
    this.state = 'rebalancing';
  }

  /** After a successful flush: resets the backoff (when a write proved the store works) and resumes. */
  private succeeded(wrote: boolean): boolean {
    if (wrote) this.attempt = 0;
    if (this.backingOff) this.resume();
    return true;
  }

  /** A failed attempt: pause, keep the batch, retry after the backoff delay (unless stopping). */
  private fail(stage: FailureStage, error: unknown, trigger?: Trigger): number {
    const delay = backoffDelay(this.options.settings.backoff, this.attempt);
    this.attempt += 1;
    this.metrics.writeFailures.inc({ reason: stage });
    this.metrics.writeRetries.inc();
    this.lastFailure = { stage, message: errorMessage(error), at: new Date().toISOString() };
    this.logger.warn(
      { stage, trigger, attempt: this.attempt, retryInMs: delay, pending: this.pending.size() + this.inFlightRecords(), err: errorMessage(error) },
      stage === 'decode'
        ? 'cannot decode (schema registry unreachable?); pausing consumption and retrying'
        : `${stage} failed; pausing consumption and retrying the batch`,
    );
    if (!this.backingOff) {
      this.backingOff = true;
      for (const [topic, partitions] of this.assigned) for (const partition of partitions) this.fetcher?.pause(topic, partition);
      this.metrics.paused.set(1);
    }
    if (this.state === 'running') {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => void this.lock.run(() => this.retry()), delay);
    }
    return delay;
  }

  /** The backoff timer fired: the failed batches in flight again, then what waited behind them. */
  private async retry(): Promise<void> {
    this.retryTimer = undefined;
    if (this.state !== 'running' || !this.backingOff) return;
    this.rearmFailed();
    if (!(await this.settleAll('retry'))) return;
    // nothing was in flight (a decode failure), or it is all committed now
    if (this.backingOff) this.resume();
    if (this.pendingDue()) await this.flush('retry');
    else this.scheduleLinger();
  }

  /** Reads on from the first record not taken: what was fetched while paused was dropped. */
  private resume(): void {
    this.backingOff = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const [topic, partitions] of this.assigned) {
      for (const partition of partitions) {
        const at = this.consumedTo.get(keyOf(topic, partition));
        if (at !== undefined) this.fetcher?.seek(topic, partition, at);
        this.fetcher?.resume(topic, partition);
      }
    }
    this.metrics.paused.set(0);
    this.logger.info({ after: this.lastFailure }, 'store writes succeed again; consumption resumed');
  }

  /** Drops everything not committed (read again from the committed offsets after the join that follows); a write in flight finishes unheeded. */
  private dropPending(reason: string): void {
    this.clearLinger();
    const records = this.pending.size() + this.inFlightRecords();
    if (records > 0) this.logger.info({ reason, records }, 'uncommitted records dropped; they will be delivered again');
    this.pending = new PendingBatch<V>();
    this.flights = [];
    this.metrics.pendingRecords.set(0);
    // nothing left to retry; a store still down fails the next batch and pauses again
    if (this.backingOff) {
      this.backingOff = false;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.metrics.paused.set(0);
    }
  }

  private scheduleLinger(): void {
    if (this.lingerTimer !== undefined || this.pending.isEmpty() || this.state !== 'running') return;
    const wait = Math.max(0, this.options.settings.batching.maxDelayMs - this.pending.ageMs());
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      void this.lock.run(async () => {
        if (this.state !== 'running' || this.backingOff || this.pending.isEmpty()) return;
        // no room: the batch grows until a write in flight settles, which writes it then (settleReady)
        if (!this.hasWriteSlot()) return;
        await this.flush('time');
      });
    }, wait);
  }

  private clearLinger(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }

  private isAssigned(topic: string, partition: number): boolean {
    return this.assigned.get(topic)?.has(partition) ?? false;
  }

  private catalogTopic(topic: string): string {
    const prefix = this.options.topicPrefix;
    return prefix !== '' && topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  }

  /**
   * Graceful stop: write and commit the pending batch (retrying for up to
   * SINK_STOP_TIMEOUT_MS if the store fails), leave the group, close the writer.
   * What could not be written stays uncommitted and is delivered again.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.clearLinger();
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    await this.fetcher?.stop().catch(() => undefined);
    await this.lock.run(async () => {
      if (!wasRunning) return;
      const deadline = Date.now() + this.options.settings.stopTimeoutMs;
      for (;;) {
        this.rearmFailed();
        const done = (await this.settleAll('stop')) && (await this.flush('stop'));
        if (done || (this.flights.length === 0 && this.pending.isEmpty())) break; // written, or dropped because the group moved on
        const left = deadline - Date.now();
        if (left <= 0) {
          const records = this.pending.size() + this.inFlightRecords();
          this.logger.warn({ records }, 'stopping with unwritten records; they stay uncommitted and will be delivered again');
          break;
        }
        await sleep(Math.min(left, backoffDelay(this.options.settings.backoff, this.attempt)));
      }
    });
    const closing = (what: string) => (error: unknown) => this.logger.warn({ err: errorMessage(error) }, `${what} did not finish cleanly`);
    await within(this.stepTimeoutMs, 'leaving the group', async () => this.member?.leave()).catch(
      closing('leaving the group (the coordinator expires the member after its session)'),
    );
    await within(this.stepTimeoutMs, 'closing the consumer', async () => this.consumer?.close(true)).catch(closing('closing the consumer'));
    await within(this.stepTimeoutMs, 'closing the fetch consumer', async () => this.reader?.close(true)).catch(closing('closing the fetch consumer'));
    await within(this.stepTimeoutMs, 'closing the dead-letter producer', () => this.deadLetters.close()).catch(closing('closing the dead-letter producer'));
    await this.options.writer.close();
    this.state = 'stopped';
    this.logger.info('sink stopped');
  }

  health(): HealthReport {
    const writer = this.options.writer.health?.();
    const progress = this.progress.report();
    // a rebalance is a pause in consumption, not a fault, unless it lasts longer than the stall bound
    const serving = this.state === 'running' || this.state === 'rebalancing';
    const rebalancingMs = this.rebalancingSince === undefined ? 0 : Date.now() - this.rebalancingSince;
    const ready = serving && this.joined && rebalancingMs <= this.stallTimeoutMs && !this.backingOff && (writer?.ready ?? true) && progress.ready;
    const reason = !serving
      ? `state ${this.state}${this.fatal ? `: ${this.fatal.message}` : ''}`
      : !this.joined
        ? 'joining the consumer group'
        : rebalancingMs > this.stallTimeoutMs
          ? `consuming nothing for ${Math.round(rebalancingMs / 1000)} s: ${this.preparing ? 'reading the committed offsets' : 'waiting for a group join'}`
          : this.backingOff
            ? `store failing: ${this.lastFailure?.message ?? 'retrying'}`
            : writer?.ready === false
              ? 'store not ready'
              : progress.reason;
    return {
      ready,
      detail: {
        state: this.state,
        reason,
        generation: this.generation,
        stalled: progress.stalled,
        sinceContactMs: progress.sinceContactMs,
        lockHeldMs: this.lock.heldForMs(),
        paused: this.backingOff,
        failedAttempts: this.attempt,
        lastFailure: this.lastFailure,
        lastWriteAt: this.lastWriteAt,
        pendingRecords: this.pending.size(),
        inFlightRecords: this.inFlightRecords(),
        assignment: this.assignment(),
        failure: this.fatal?.message,
        writer: writer ? { name: this.options.writer.name, ...writer } : { name: this.options.writer.name },
      },
    };
  }
}
