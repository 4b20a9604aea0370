/**
 * The at-least-once sink engine: a consumer group (read_committed) over the
 * sink's input topics, records decoded and accumulated across fetches into
 * batches, each batch handed to a SinkWriter, offsets committed only after
 * the writer resolved. The contract with writers is in sink-writer.ts.
 *
 * Why the pieces are as they are:
 * - Batching across fetches: kafkajs hands over one partition's fetch at a
 *   time (often a few hundred records), while stores want big writes. The
 *   engine resolves offsets as it takes records (so kafkajs fetches on) but
 *   commits nothing until the batch is written.
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
 * - A failing store pauses the input topics (kafkajs keeps heartbeating
 *   while paused), keeps the failed batch and retries it with capped
 *   exponential backoff: memory stays bounded, nothing is committed that
 *   was not written, and consumption resumes after the first successful
 *   write. Fetched batches that arrive while paused are left unresolved, so
 *   kafkajs reads them again after the resume.
 * - A rebalance (or any rejoin) drops everything uncommitted: kafkajs
 *   restarts every partition from its committed offset after a join, so the
 *   records come again; the writers' idempotence makes the second write
 *   harmless (a write still in flight finishes, and is not committed).
 * - Everything that touches the batches runs under one lock (fetched
 *   batches, the linger timer, commits, retries, rebalances, stop), so a
 *   commit never races a rebalance or another commit.
 * - Kafka faults: start-up waits (with backoff) for Kafka to be reachable;
 *   a consumer that crashed for good is replaced by a new one, with
 *   backoff, and everything uncommitted is delivered again to it. Only
 *   errors no retry fixes (credentials, permissions) end the service.
 * - /health is ready only while the sink makes progress: not while the
 *   store fails, a partition with lag commits nothing for the stall bound,
 *   or the consumer reaches no broker (lib/streaming/partition-progress.ts).
 */
import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { isFatalKafkaError, isKafkaError } from '../../lib/clients/kafka-errors';
import { DEFAULT_HEALTH_STALL_TIMEOUT_MS } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { backoffDelay, KAFKA_RECOVERY_BACKOFF } from '../../lib/retry/backoff';
import { retryUntilDone, sleep } from '../../lib/retry/retry-until-done';
import { MembershipWatch } from '../../lib/streaming/membership-watch';
import { RETIRE_WAIT_MS, RetiredConsumers } from '../../lib/streaming/retired-consumers';
import { steer } from '../../lib/streaming/steer-consumer';
import { PartitionProgress } from '../../lib/streaming/partition-progress';
import type { TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../processors/runtime/codec';
import type { HealthReport } from '../../processors/runtime/http-endpoint';
import { Lock } from '../../processors/runtime/lock';
import { DeadLetterSender } from './dead-letter-sender';
import { DecodedMessage, decodeMessages } from './decode-message';
import { PartitionOffset, PendingBatch } from './pending-batch';
import { SinkMetrics } from './sink-metrics';
import type { SinkSettings } from './sink-settings';
import type { SinkWriter } from './sink-writer';
import { TimeoutError, withTimeout } from './with-timeout';
import { onMarkerOnlyBatches } from '../../processors/runtime/end-tracker';

export interface SinkFetchSettings {
  readonly maxBytesPerPartition: number;
  readonly maxBytes: number;
  /** Long-poll wait, and how long kafkajs sleeps between polls while every partition is paused (so also the resume latency). */
  readonly maxWaitTimeInMs: number;
}

export const DEFAULT_SINK_FETCH: SinkFetchSettings = { maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 32 * 1024 * 1024, maxWaitTimeInMs: 100 };

export interface SinkEngineOptions<V extends TaggedValue> {
  readonly kafka: Kafka;
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
  /** After each group join, with the partitions assigned. */
  joined?(assignment: Readonly<Record<string, readonly number[]>>): void;
  /** After each successful commit, with the positions committed. */
  committed?(offsets: readonly PartitionOffset[]): void;
}

type EngineState = 'created' | 'starting' | 'running' | 'recovering' | 'stopping' | 'stopped' | 'failed';

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

const HEARTBEAT_WHILE_BUSY_MS = 3_000;
/** Written batches whose commit may wait behind the writes in flight. */
const MAX_AWAITING_COMMIT = 4;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: unknown }).type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID';
}

/** kafkajs heartbeats at most this often: a third of the session, at most every 3 s. */
function heartbeatIntervalOf(sessionTimeoutMs: number): number {
  return Math.min(3_000, Math.floor(sessionTimeoutMs / 3));
}

export class SinkEngine<V extends TaggedValue> {
  readonly metrics: SinkMetrics;
  private readonly logger: Logger;
  private readonly lock = new Lock();
  private readonly deadLetters: DeadLetterSender;
  private readonly fetch: SinkFetchSettings;
  private consumer: Consumer | undefined;
  private state: EngineState = 'created';
  private pending = new PendingBatch<V>();
  /** Batches being written, oldest first; committed in this order. */
  private flights: InFlight<V>[] = [];
  /** Input partitions currently assigned to this member, `topic` → partitions. */
  private assigned = new Map<string, Set<number>>();
  private highWatermarks = new Map<string, bigint>();
  /** Consumption is paused because the store (or the registry) is failing. */
  private backingOff = false;
  /** Failed attempts since the last success: the backoff exponent. */
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lastFailure: { readonly stage: FailureStage; readonly message: string; readonly at: string } | undefined;
  private lastWriteAt: string | undefined;
  private crash: Error | undefined;
  private readonly progress: PartitionProgress;
  /** Counts consumers created: events of a replaced one are ignored. */
  private consumerGeneration = 0;
  /** Failed consumer starts in a row: the backoff exponent of the next replacement. */
  private consumerFailures = 0;
  /** The current consumer joined its group: until then the sink consumes nothing and is not ready. */
  private joined = false;
  /** A replacement consumer is being started. */
  private replacing = false;
  /** Why the consumer must be replaced again once the replacement under way is done. */
  private replaceAgain: string | undefined;
  private readonly retired: RetiredConsumers;
  private readonly membership: MembershipWatch;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly options: SinkEngineOptions<V>) {
    this.metrics = options.metrics ?? new SinkMetrics(options.name);
    this.progress = new PartitionProgress(options.stallTimeoutMs ?? DEFAULT_HEALTH_STALL_TIMEOUT_MS);
    this.metrics.trackProgress(this.progress);
    const { sessionTimeoutMs } = options.settings;
    this.membership = new MembershipWatch(Math.max(sessionTimeoutMs / 2, 3 * heartbeatIntervalOf(sessionTimeoutMs)));
    this.logger = options.logger.child({ sink: options.name });
    this.retired = new RetiredConsumers(this.logger);
    this.deadLetters = new DeadLetterSender(options.kafka, options.name, this.logger, this.metrics);
    this.fetch = options.fetch ?? DEFAULT_SINK_FETCH;
  }

  get groupId(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    this.state = 'starting';
    const { writer, settings } = this.options;
    await writer.start({ sinkName: this.options.name, logger: this.logger.child({ writer: writer.name }), registry: this.metrics.registry });
    await this.untilConnected('connect the dead-letter producer', () => this.deadLetters.connect());
    await this.startConsumer();
    this.watchdog = setInterval(() => this.watchMembership(), 1_000);
    this.watchdog.unref();
    this.logger.info({ group: this.groupId, topics: this.options.topics, batching: settings.batching }, 'sink consuming');
  }

  /** Runs a Kafka step until it succeeds, logging each wait; gives up on errors no retry fixes (the sink's own among them), or a stop. */
  private untilConnected<T>(what: string, step: () => Promise<T>): Promise<T> {
    return retryUntilDone(step, {
      policy: KAFKA_RECOVERY_BACKOFF,
      isFatal: (error) => isFatalKafkaError(error) || !isKafkaError(error),
      stopped: () => this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed',
      onRetry: ({ attempt, delayMs, error }) =>
        this.logger.warn({ what, attempt, retryInMs: delayMs, err: errorMessage(error) }, `cannot ${what} yet (is Kafka reachable at KAFKA_BROKERS?); retrying`),
    });
  }

  /** A new consumer joins the group; the one before it (crashed) is forgotten. */
  private async startConsumer(): Promise<void> {
    const { kafka, settings } = this.options;
    await this.untilConnected('join the consumer group', async () => {
      const generation = ++this.consumerGeneration;
      const consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: heartbeatIntervalOf(settings.sessionTimeoutMs),
      // the coordinator waits this long for every member to rejoin; kafkajs's 60 s would hold up recovery
      rebalanceTimeout: 2 * settings.sessionTimeoutMs,
      // every crash is handled here, by a new consumer: a consumer kafkajs restarts by itself could come
      // back after it was replaced and hold partitions nobody processes
      retry: { retries: 5, restartOnFailure: async () => false },
      maxWaitTimeInMs: this.fetch.maxWaitTimeInMs,
      maxBytesPerPartition: this.fetch.maxBytesPerPartition,
      maxBytes: this.fetch.maxBytes,
      });
      this.consumer = consumer;
      this.membership.joined();
      this.listen(consumer, generation);
      try {
        await consumer.connect();
        for (const topic of this.options.topics) await consumer.subscribe({ topic, fromBeginning: true });
        if (this.state === 'starting' || this.state === 'recovering') this.state = 'running';
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
            this.keepingAlive(heartbeat, () =>
              this.lock.run(async () => {
                if (generation !== this.consumerGeneration) return void this.retired.retire(consumer);
                if (!isRunning() || isStale() || this.state !== 'running' || this.backingOff) return;
                await this.take(batch, resolveOffset);
              }),
            ),
        });
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        throw error;
      }
    });
  }

  private listen(consumer: Consumer, generation: number): void {
    // a replaced consumer that shows any sign of life is disconnected again (see retired-consumers.ts)
    const current = () => {
      if (generation === this.consumerGeneration) return true;
      void this.retired.retire(consumer);
      return false;
    };
    const { REBALANCING, GROUP_JOIN, CRASH, HEARTBEAT, FETCH } = consumer.events;
    consumer.on(HEARTBEAT, () => {
      if (!current()) return;
      this.membership.heartbeat();
      this.progress.contact();
    });
    consumer.on(FETCH, () => {
      if (!current()) return;
      this.membership.fetched();
      this.progress.contact();
    });
    // kafkajs restarts every partition from its committed offset after a join: what is pending would come again
    consumer.on(REBALANCING, () => current() && void this.lock.run(async () => this.dropPending('rebalance')));
    consumer.on(GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      this.consumerFailures = 0;
      this.joined = true;
      this.membership.joined();
      void this.lock.run(async () => {
        this.dropPending('group join');
        for (const [topic, partitions] of this.assigned) {
          for (const partition of partitions) {
            if (!payload.memberAssignment[topic]?.includes(partition)) this.metrics.lag.remove({ topic, partition: String(partition) });
          }
        }
        this.assigned = new Map(Object.entries(payload.memberAssignment).map(([topic, partitions]) => [topic, new Set(partitions)]));
        this.progress.assign(Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))));
        this.logger.info({ assignment: payload.memberAssignment }, 'partitions assigned');
        this.options.hooks?.joined?.(payload.memberAssignment);
      });
    });
    // kafkajs moves past a fetch of markers only by itself; the engine must commit past it
    // too, or the group would stay one record behind forever.
    onMarkerOnlyBatches(consumer, (topic, partition, lastOffset) => {
      if (!current()) return;
      void this.lock.run(async () => {
        if (this.state !== 'running' || this.backingOff || !this.isAssigned(topic, partition)) return;
        this.pending.advance(topic, partition, (BigInt(lastOffset) + 1n).toString());
        this.scheduleLinger();
      });
    });
    consumer.on(CRASH, ({ payload }) => {
      if (!current()) return;
      const { error, restart } = payload;
      this.metrics.consumerCrashes.inc({ restart: String(restart) });
      this.crash = error;
      this.joined = false;
      if (this.state === 'stopping' || this.state === 'stopped') return;
      if (isFatalKafkaError(error)) return this.failFatally(error, 'consumer crashed on a fault no retry fixes; exiting for a supervisor to restart the sink');
      this.replaceConsumer(`consumer crashed${restart ? '' : ' for good'}: ${errorMessage(error)}`);
    });
  }

  /** See lib/streaming/membership-watch.ts: a kafkajs consumer can fetch on for ever after it left its group. */
  private watchMembership(): void {
    if (this.state !== 'running') return;
    const { sessionTimeoutMs } = this.options.settings;
    const heldMs = this.lock.heldForMs();
    if (heldMs !== undefined && heldMs > sessionTimeoutMs) this.logger.warn({ heldMs }, 'the engine lock is held for longer than a session (a request waiting on a broker or a store that does not answer?)');
    const silentMs = this.membership.silentWhileFetching();
    if (silentMs !== undefined) return this.replaceConsumer(`fetching without a heartbeat accepted for ${Math.round(silentMs / 1000)} s: the consumer is no longer in its group`);
    const stuckMs = this.membership.silentMs();
    if (stuckMs > 2 * sessionTimeoutMs) this.replaceConsumer(`no heartbeat accepted and no group join for ${Math.round(stuckMs / 1000)} s: the consumer is stuck`);
  }

  /**
   * Drops the consumer (its events are ignored from now on) and everything
   * uncommitted, then starts a new consumer after a pause that grows with
   * each replacement in a row; the records come again after its join.
   */
  private replaceConsumer(reason: string): void {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') return;
    if (this.replacing) {
      // the new consumer failed while it was being started (its first join runs inside its start): once more after it
      this.replaceAgain = reason;
      return;
    }
    this.replacing = true;
    this.state = 'recovering';
    this.joined = false;
    this.consumerGeneration += 1;
    const old = this.consumer;
    const delayMs = backoffDelay(KAFKA_RECOVERY_BACKOFF, this.consumerFailures++);
    this.metrics.consumerReplacements.inc();
    this.logger.warn({ reason, retryInMs: delayMs }, 'replacing the consumer with a new one');
    void this.lock
      .run(async () => this.dropPending('consumer replaced'))
      .then(async () => {
        // a consumer stuck in a join does not finish its disconnect until the join ends: go on without it
        if (old !== undefined) await Promise.race([this.retired.retire(old), sleep(RETIRE_WAIT_MS)]);
        await sleep(delayMs);
        if (this.state === 'recovering') await this.startConsumer();
      })
      .catch((error: unknown) => this.failFatally(error, 'cannot replace the consumer; exiting for a supervisor to restart the sink'))
      .finally(() => {
        this.replacing = false;
        const again = this.replaceAgain;
        this.replaceAgain = undefined;
        if (again !== undefined) this.replaceConsumer(again);
      });
  }

  private failFatally(error: unknown, why: string): void {
    this.state = 'failed';
    clearInterval(this.watchdog);
    this.logger.error({ err: error }, why);
    this.options.onFatal?.(error instanceof Error ? error : new Error(String(error)));
  }

  /** Takes a fetched batch into the pending batch, writing whenever it is full. */
  private async take(batch: Batch, resolveOffset: (offset: string) => void): Promise<void> {
    const { topic, partition, messages } = batch;
    this.highWatermarks.set(`${topic}\u0000${partition}`, BigInt(batch.highWatermark));
    this.progress.observedEnd(topic, partition, batch.highWatermark);
    // the group's position, until the first commit of this assignment says it
    if (messages[0] !== undefined) this.progress.position(topic, partition, messages[0].offset);
    const at = { topic, catalogTopic: this.catalogTopic(topic), partition };
    const { maxRecords } = this.options.settings.batching;
    const last = messages.length - 1;
    // Offsets are resolved (kafkajs fetches on from there) and recorded for the commit once per run of
    // records rather than per record: only before a write and at the end of the fetch.
    let marked = -1;
    const markTaken = (upTo: number) => {
      if (upTo <= marked) return;
      marked = upTo;
      const message = messages[upTo] as KafkaMessage;
      // the last record of a fetch resolves past the control records that follow it (kafkajs does the same)
      const next = upTo === last ? BigInt(batch.lastOffset()) + 1n : BigInt(message.offset) + 1n;
      this.pending.advance(topic, partition, next.toString());
      resolveOffset(message.offset);
    };
    let taken = 0;
    try {
      const { decoded, failure } = await decodeMessages<V>(this.options.codec, at, messages);
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
        // the registry is unreachable: leave this record unresolved and back off; it is read again after the resume
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
    flight.write.then(settleWhenDone, settleWhenDone).catch((error: unknown) => this.logger.error({ err: error }, 'settling a written batch failed unexpectedly'));
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
    let settling = [flight];
    let stage: FailureStage = 'write';
    try {
      await flight.write;
      settling = this.writtenHead();
      stage = 'dead-letter';
      for (const { batch } of settling) {
        if (batch.deadLettersSent) continue;
        await this.deadLetters.send(batch.deadLetters);
        batch.deadLettersSent = true;
      }
      stage = 'commit';
      await this.commit(settling.map(({ batch }) => batch));
    } catch (error) {
      if (this.flights[0] !== flight) return false; // dropped meanwhile
      if (stage === 'commit' && isRebalancing(error)) {
        this.logger.info({ err: errorMessage(error) }, 'commit refused during a rebalance; the written records will be delivered again after the rejoin');
        this.dropPending('rebalance during commit');
        return false;
      }
      flight.failed = true;
      this.fail(error instanceof TimeoutError ? 'timeout' : stage, error, trigger);
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
    const result = await withTimeout(writer.write(batch.records), settings.writeTimeoutMs, `${writer.name} write of ${batch.records.length} records`);
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
      for (const offset of batch.commitOffsets((topic, partition) => this.isAssigned(topic, partition))) latest.set(`${offset.topic}\u0000${offset.partition}`, offset);
    }
    const offsets = [...latest.values()];
    if (offsets.length > 0) {
      const timer = this.metrics.commitLatency.startTimer();
      await this.consumer?.commitOffsets(offsets);
      timer();
      this.options.hooks?.committed?.(offsets);
    }
    for (const batch of batches) for (const [topic, count] of batch.writtenByTopic()) this.metrics.recordsWritten.inc({ topic }, count);
    for (const { topic, partition, offset } of offsets) {
      this.progress.committed(topic, partition, offset);
      const high = this.highWatermarks.get(`${topic}\u0000${partition}`);
      if (high !== undefined) this.metrics.lag.set({ topic, partition: String(partition) }, Number(high > BigInt(offset) ? high - BigInt(offset) : 0n));
    }
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
      stage === 'decode' ? 'cannot decode (schema registry unreachable?); pausing consumption and retrying' : `${stage} failed; pausing consumption and retrying the batch`,
    );
    if (!this.backingOff) {
      this.backingOff = true;
      steer(this.consumer, (consumer) => consumer.pause(this.options.topics.map((topic) => ({ topic }))));
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

  private resume(): void {
    this.backingOff = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    steer(this.consumer, (consumer) => consumer.resume(this.options.topics.map((topic) => ({ topic }))));
    this.metrics.paused.set(0);
    this.logger.info({ after: this.lastFailure }, 'store writes succeed again; consumption resumed');
  }

  /** Drops everything not committed (kafkajs reads it again from the committed offsets); a write in flight finishes unheeded. */
  private dropPending(reason: string): void {
    this.clearLinger();
    const records = this.pending.size() + this.inFlightRecords();
    if (records > 0) this.logger.info({ reason, records }, 'uncommitted records dropped; they will be delivered again');
    this.pending = new PendingBatch<V>();
    this.flights = [];
    this.metrics.pendingRecords.set(0);
    // nothing left to retry: consume again; a store still down fails the next batch and pauses again
    if (this.backingOff) this.resume();
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

  /**
   * Runs `work` while heartbeating every few seconds: a slow store write
   * (or waiting for one to finish under the lock) must not cost the group
   * membership. Heartbeat errors are left to kafkajs's own next heartbeat.
   */
  private async keepingAlive<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_WHILE_BUSY_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
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
    await this.lock.run(async () => {
      if (!wasRunning) return;
      const deadline = Date.now() + this.options.settings.stopTimeoutMs;
      for (;;) {
        this.rearmFailed();
        const done = (await this.settleAll('stop')) && (await this.flush('stop'));
        if (done || (this.flights.length === 0 && this.pending.isEmpty())) break; // written, or dropped by a rebalance
        const left = deadline - Date.now();
        if (left <= 0) {
          const records = this.pending.size() + this.inFlightRecords();
          this.logger.warn({ records }, 'stopping with unwritten records; they stay uncommitted and will be delivered again');
          break;
        }
        await sleep(Math.min(left, backoffDelay(this.options.settings.backoff, this.attempt)));
      }
    });
    await this.consumer?.disconnect();
    await this.deadLetters.disconnect().catch((error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'dead-letter producer did not disconnect cleanly'));
    await this.options.writer.close();
    this.state = 'stopped';
    this.logger.info('sink stopped');
  }

  health(): HealthReport {
    const writer = this.options.writer.health?.();
    const progress = this.progress.report();
    const ready = this.state === 'running' && this.joined && !this.backingOff && (writer?.ready ?? true) && progress.ready;
    const reason =
      this.state !== 'running' ? `state ${this.state}` : !this.joined ? 'joining the consumer group' : this.backingOff ? `store failing: ${this.lastFailure?.message ?? 'retrying'}` : writer?.ready === false ? 'store not ready' : progress.reason;
    return {
      ready,
      detail: {
        state: this.state,
        reason,
        stalled: progress.stalled,
        sinceContactMs: progress.sinceContactMs,
        lockHeldMs: this.lock.heldForMs(),
        paused: this.backingOff,
        failedAttempts: this.attempt,
        lastFailure: this.lastFailure,
        lastWriteAt: this.lastWriteAt,
        pendingRecords: this.pending.size(),
        inFlightRecords: this.inFlightRecords(),
        assignment: Object.fromEntries([...this.assigned].map(([topic, partitions]) => [topic, [...partitions].sort((a, b) => a - b)])),
        crash: this.crash?.message,
        writer: writer ? { name: this.options.writer.name, ...writer } : { name: this.options.writer.name },
      },
    };
  }
}
