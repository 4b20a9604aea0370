/**
 * The streaming engine of one processor instance: a consumer group over the
 * processor's inputs, one StreamTask per assigned partition number, commits
 * on an interval and a size bound, aborts on rebalance, graceful stop.
 *
 * Processing, the start of commits, their outcomes and aborts run one at a
 * time (a single lock). A task's transaction is sent outside the lock, so
 * the next batches are processed while it commits; the task's next commit
 * starts when it is due and the previous one has landed. Before anything is
 * rolled back (a failed commit, a rebalance, a stop) the transaction under
 * way is awaited.
 *
 * Faults (the Kafka Streams way: TaskCorruptedException, ProducerFenced):
 * - A task whose transaction failed is never used again, whatever the
 *   failure: its producer may be stuck (a failed abort leaves kafkajs in
 *   ABORTING), fenced (a new owner, or the broker timed the transaction
 *   out), and the outcome may be unknown (the broker went away around
 *   EndTxn: it may have committed). The partition is paused and rebuilt off
 *   the lock (TaskRebuild): a new producer initializes the same
 *   transactional id, which fences the old one and makes the coordinator
 *   finish whatever was open, then the stores are restored from their
 *   changelogs and the committed positions read, so what Kafka committed,
 *   and only that, is where processing goes on. Attempts back off.
 * - A rebuild after a failure first waits for a heartbeat accepted after it:
 *   a zombie (paused past its session, its partitions given to another
 *   instance) learns from that heartbeat that it left the group, instead of
 *   fencing the new owner and writing again.
 * - After every group join each retained task reads its committed positions
 *   again (a transaction may have landed while kafkajs rejoined), the same
 *   way, off the lock.
 * - A consumer that crashed for good, or that fetches on without being in
 *   its group any more (lib/streaming/membership-watch.ts), is replaced by
 *   a new one (Kafka Streams' REPLACE_THREAD), with backoff; errors no
 *   retry can fix (credentials, permissions, bugs) end the instance
 *   through onFatal.
 * - Committed positions are read until two reads agree: the group
 *   coordinator applies a transaction's offsets just after its markers, and
 *   kafkajs's OffsetFetch predates require_stable (KIP-447). A task kept
 *   across a join never moves behind its own last commit, and is rebuilt
 *   if the group committed past it (another instance owned it meanwhile).
 */
import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import { isFatalKafkaError, isFencing, isKafkaError } from '../../lib/clients/kafka-errors';
import { DEFAULT_HEALTH_STALL_TIMEOUT_MS, DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS, DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS, DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { BackoffPolicy, backoffDelay, KAFKA_RECOVERY_BACKOFF } from '../../lib/retry/backoff';
import { retryUntilDone, sleep } from '../../lib/retry/retry-until-done';
import type { TaggedValue } from '../../lib/serde';
import { MembershipWatch } from '../../lib/streaming/membership-watch';
import { RETIRE_WAIT_MS, RetiredConsumers } from '../../lib/streaming/retired-consumers';
import { steer } from '../../lib/streaming/steer-consumer';
import { PartitionProgress } from '../../lib/streaming/partition-progress';
import type { RecordCodec } from './codec';
import { onMarkerOnlyBatches } from './end-tracker';
import { GlobalTable } from './global-table';
import type { HealthReport } from './http-endpoint';
import { Lock } from './lock';
import { ProcessorMetrics } from './metrics';
import { PartitionReader } from './partition-reader';
import type { ProcessorDefinition, ReadonlyTable } from './processor';
import { StreamTask } from './stream-task';

export interface StreamAppOptions<In extends TaggedValue> {
  readonly kafka: Kafka;
  readonly definition: ProcessorDefinition<In>;
  readonly codec: RecordCodec;
  readonly logger: Logger;
  readonly metrics?: ProcessorMetrics;
  /** Start a commit at least this often while there is progress (see DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS). */
  readonly commitIntervalMs?: number;
  /** ...and as soon as a task holds this many uncommitted records. */
  readonly maxUncommittedRecords?: number;
  readonly transactionTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
  /** /health is not ready while a partition with lag commits nothing, or the consumer reaches no broker, for this long. */
  readonly stallTimeoutMs?: number;
  /** Pauses between reconnects and rebuild attempts. */
  readonly backoff?: BackoffPolicy;
  /** The instance met a fault it cannot recover from; the service exits. */
  readonly onFatal?: (error: Error) => void;
}

const RETRY_PAUSE_MS = 1000;
const HEARTBEAT_INTERVAL_MS = 1000;
const WATCHDOG_INTERVAL_MS = 1000;
/** Between two reads of the committed positions that must agree. */
const POSITIONS_SETTLE_MS = 200;
const POSITIONS_READS = 10;

type State = 'created' | 'starting' | 'running' | 'rebalancing' | 'recovering' | 'stopping' | 'stopped' | 'failed';

/** A partition without a usable task, paused until it has one ready at its committed positions. */
interface TaskRebuild<In extends TaggedValue> {
  readonly reason: string;
  /** Set by a group join, a rebalance, a crash or a stop: the attempt's result is not installed. */
  cancelled: boolean;
  attempt: number;
  /** A rebuild after a failure waits for a heartbeat accepted after this time (ms). */
  readonly proofAfter: number | undefined;
  /** The task to reposition (a healthy one after a join), or one built by an earlier attempt. */
  task: StreamTask<In> | undefined;
  /** It is this.tasks' own task: only its positions are read again (unless they show it stale). */
  retained: boolean;
  lastError: string | undefined;
}

export class StreamApp<In extends TaggedValue> {
  readonly metrics: ProcessorMetrics;
  private readonly definition: ProcessorDefinition<In>;
  private readonly logger: Logger;
  private readonly lock = new Lock();
  private readonly tasks = new Map<number, StreamTask<In>>();
  private readonly rebuilds = new Map<number, TaskRebuild<In>>();
  private readonly tables = new Map<string, GlobalTable<unknown>>();
  private consumer: Consumer | undefined;
  /** Counts consumers created: events of a replaced one are ignored. */
  private consumerGeneration = 0;
  /** Failed consumer starts in a row: the backoff exponent of the next replacement. */
  private consumerFailures = 0;
  /** Partition numbers the last group join assigned. */
  private assigned = new Set<number>();
  private lastHeartbeatAt = 0;
  private readonly progress: PartitionProgress;
  private readonly membership: MembershipWatch;
  private watchdog: NodeJS.Timeout | undefined;
  /** A replacement consumer is being started. */
  private replacing = false;
  /** Why the consumer must be replaced again once the replacement under way is done. */
  private replaceAgain: string | undefined;
  private readonly retired: RetiredConsumers;
  /** Restores every task's stores: one consumer for the instance, not one per task and store. */
  private changelogReader: PartitionReader | undefined;
  /** Reads committed positions when a task starts. */
  private admin: Admin | undefined;
  /** Per task, a wake-up for when its next commit falls due. */
  private readonly commitTimers = new Map<StreamTask<In>, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  private state: State = 'created';
  private failure: Error | undefined;
  private readonly commitIntervalMs: number;
  private readonly maxUncommitted: number;
  private readonly backoff: BackoffPolicy;
  private readonly sessionTimeoutMs: number;

  constructor(private readonly options: StreamAppOptions<In>) {
    this.definition = options.definition;
    this.logger = options.logger.child({ processor: options.definition.name });
    this.retired = new RetiredConsumers(this.logger);
    this.metrics = options.metrics ?? new ProcessorMetrics(options.definition.name);
    this.commitIntervalMs = options.commitIntervalMs ?? DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS;
    this.maxUncommitted = options.maxUncommittedRecords ?? 20_000;
    this.backoff = options.backoff ?? KAFKA_RECOVERY_BACKOFF;
    this.progress = new PartitionProgress(options.stallTimeoutMs ?? DEFAULT_HEALTH_STALL_TIMEOUT_MS);
    this.metrics.trackProgress(this.progress);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS;
    this.membership = new MembershipWatch(this.sessionTimeoutMs / 2);
  }

  get groupId(): string {
    return this.definition.name;
  }

  /** Connects (waiting for Kafka while it is unreachable), loads the tables and joins the group. */
  async start(): Promise<void> {
    this.state = 'starting';
    const { kafka } = this.options;
    await this.untilConnected('connect to Kafka', async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
      this.admin = admin;
    });
    this.changelogReader = new PartitionReader({
      kafka,
      topics: this.definition.stores.map((s) => s.changelogTopic),
      groupPrefix: `${this.definition.name}-restore`,
      logger: this.logger,
    });
    for (const spec of this.definition.tables) {
      const table = new GlobalTable(kafka, spec, this.definition.name, this.logger);
      await this.untilConnected(`load table ${spec.name}`, () => table.start());
      this.tables.set(spec.name, table);
    }
    await this.startConsumer();
    this.watchdog = setInterval(() => this.watchMembership(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
  }

  private watchMembership(): void {
    if (this.state !== 'running' && this.state !== 'rebalancing') return;
    const heldMs = this.lock.heldForMs();
    if (heldMs !== undefined && heldMs > this.sessionTimeoutMs) this.logger.warn({ heldMs }, 'the engine lock is held for longer than a session (a request waiting on a broker or a store that does not answer?)');
    const silentMs = this.membership.silentWhileFetching();
    if (silentMs !== undefined) return this.replaceConsumer(`fetching without a heartbeat accepted for ${Math.round(silentMs / 1000)} s: the consumer is no longer in its group`);
    const stuckMs = this.membership.silentMs();
    if (stuckMs > 2 * this.sessionTimeoutMs) this.replaceConsumer(`no heartbeat accepted and no group join for ${Math.round(stuckMs / 1000)} s: the consumer is stuck`);
  }

  /** Runs a Kafka step until it succeeds, logging each wait; gives up on errors no retry fixes (the service's own among them), or a stop. */
  private untilConnected<T>(what: string, step: () => Promise<T>): Promise<T> {
    return retryUntilDone(step, {
      policy: this.backoff,
      isFatal: (error) => isFatalKafkaError(error) || !isKafkaError(error),
      stopped: () => this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed',
      onRetry: ({ attempt, delayMs, error }) =>
        this.logger.warn({ what, attempt, retryInMs: delayMs, err: errorText(error) }, `cannot ${what} yet (is Kafka reachable at KAFKA_BROKERS?); retrying`),
    });
  }

  /** A new consumer joins the group; the one before it (crashed) is forgotten. */
  private async startConsumer(): Promise<void> {
    const { kafka } = this.options;
    await this.untilConnected('join the consumer group', async () => {
      const generation = ++this.consumerGeneration;
      const consumer = kafka.consumer({
        groupId: this.groupId,
        readUncommitted: false,
        // a dead instance's partitions wait this long for a new owner
        sessionTimeout: this.sessionTimeoutMs,
        // the coordinator waits this long for every member to rejoin; kafkajs's 60 s would hold up recovery
        rebalanceTimeout: 2 * this.sessionTimeoutMs,
        // every crash is handled here, by a new consumer: a consumer kafkajs restarts by itself could come
        // back after it was replaced and hold partitions nobody processes
        retry: { retries: 5, restartOnFailure: async () => false },
        heartbeatInterval: HEARTBEAT_INTERVAL_MS,
        maxWaitTimeInMs: 50,
        maxBytesPerPartition: 4 * 1024 * 1024,
      });
      this.listen(consumer, generation);
      this.consumer = consumer;
      this.membership.joined();
      try {
        await consumer.connect();
        for (const topic of this.definition.inputs) await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
            this.lock.run(async () => {
              if (generation !== this.consumerGeneration) return void this.retired.retire(consumer);
              if (!isRunning() || isStale()) return;
              if (this.state === 'rebalancing' || this.state === 'stopping' || this.state === 'recovering') return;
              await this.handleBatch(batch, resolveOffset, heartbeat);
            }),
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
      this.lastHeartbeatAt = Date.now();
      this.membership.heartbeat();
      this.progress.contact();
      // kafkajs announces a rebalance on a coordinator error too, then, when the rejoin fails, fetches on
      // as the same member: a heartbeat accepted means the generation did not change, and no join will come
      if (this.state === 'rebalancing') void this.lock.run(async () => this.rebalanceCalledOff());
    });
    consumer.on(FETCH, () => {
      if (!current()) return;
      this.membership.fetched();
      this.progress.contact();
    });
    onMarkerOnlyBatches(consumer, (topic, partition, lastOffset) => {
      if (!current()) return;
      void this.lock.run(async () => {
        const task = this.tasks.get(partition);
        if (task === undefined || this.rebuilds.has(partition)) return;
        task.skipMarkers(topic, lastOffset);
        await this.commitIfDue(task);
      });
    });
    // Fired synchronously just before kafkajs rejoins: drop uncommitted work
    // now, so nothing is committed for partitions that may move.
    consumer.on(REBALANCING, () => {
      if (!current() || this.state === 'stopping') return;
      this.state = 'rebalancing';
      this.cancelRebuilds();
      void this.lock.run(async () => this.abortAll('rebalance'));
    });
    consumer.on(GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      const assigned = new Set<number>();
      for (const partitions of Object.values(payload.memberAssignment)) for (const p of partitions) assigned.add(p);
      // a join without a rebalance event before it (a first join, a restart, a member id the coordinator forgot) drops uncommitted work too
      this.cancelRebuilds();
      this.consumerFailures = 0;
      this.membership.joined();
      void this.lock.run(async () => {
        if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') return;
        await this.abortAll('group join');
        for (const [partition, task] of this.tasks) {
          if (assigned.has(partition)) continue;
          this.tasks.delete(partition);
          await task.close().catch((error: unknown) => this.logger.warn({ err: errorText(error), partition }, 'closing a revoked task failed'));
          this.logger.info({ partition }, 'task revoked and released');
        }
        this.assigned = assigned;
        this.progress.assign([...assigned].flatMap((partition) => this.definition.inputs.map((topic) => ({ topic, partition }))));
        this.state = 'running';
        this.logger.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'partitions assigned');
        for (const partition of assigned) {
          const task = this.tasks.get(partition);
          this.beginRebuild(partition, task ? 'rejoined: reading committed positions' : 'assigned', { task });
        }
      });
    });
    consumer.on(CRASH, ({ payload }) => {
      if (!current()) return;
      const { error, restart } = payload;
      this.metrics.consumerCrashes.inc({ restart: String(restart) });
      this.cancelRebuilds();
      if (this.state === 'stopping' || this.state === 'stopped') return;
      if (isFatalKafkaError(error)) {
        void this.lock.run(async () => this.abortAll('consumer crash')).finally(() => this.fail(error));
        return;
      }
      this.replaceConsumer(`consumer crashed${restart ? '' : ' for good'}: ${errorText(error)}`);
    });
  }

  /** The generation stands (see the HEARTBEAT listener): every task reads its committed positions again and goes on. */
  private rebalanceCalledOff(): void {
    if (this.state !== 'rebalancing') return;
    this.state = 'running';
    this.logger.info('the group kept its generation (no rebalance after all): reading committed positions again');
    for (const partition of this.assigned) {
      const task = this.tasks.get(partition);
      this.beginRebuild(partition, task ? 'rebalance called off: reading committed positions' : 'assigned', { task });
    }
  }

  /**
   * Drops the consumer (its events are ignored from now on) and every
   * task's uncommitted work, then starts a new consumer after a pause that
   * grows with each replacement in a row; the join that follows rebuilds
   * the tasks.
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
    this.consumerGeneration += 1;
    this.cancelRebuilds();
    const old = this.consumer;
    const delayMs = backoffDelay(this.backoff, this.consumerFailures++);
    this.metrics.consumerReplacements.inc();
    this.logger.warn({ reason, retryInMs: delayMs }, 'replacing the consumer with a new one');
    void this.lock
      .run(async () => this.abortAll('consumer replaced'))
      .then(async () => {
        // a consumer stuck in a join does not finish its disconnect until the join ends: go on without it
        if (old !== undefined) await Promise.race([this.retired.retire(old), sleep(RETIRE_WAIT_MS)]);
        await sleep(delayMs);
        if (this.state === 'recovering') await this.startConsumer();
      })
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.replacing = false;
        const again = this.replaceAgain;
        this.replaceAgain = undefined;
        if (again !== undefined) this.replaceConsumer(again);
      });
  }

  private async handleBatch(batch: Batch, resolveOffset: (offset: string) => void, heartbeat: () => Promise<void>): Promise<void> {
    const { partition } = batch;
    this.progress.observedEnd(batch.topic, partition, batch.highWatermark);
    // fetched before the partition was paused for its rebuild: read again from the positions the rebuild finds
    if (this.rebuilds.has(partition)) return;
    const task = this.tasks.get(partition);
    if (task === undefined) {
      if (this.assigned.has(partition)) this.beginRebuild(partition, 'assigned', {});
      return;
    }
    const timer = this.metrics.batchLatency.startTimer();
    try {
      await task.processBatch(batch, resolveOffset, heartbeat);
    } catch (error) {
      this.logger.error({ err: error, topic: batch.topic, partition }, 'batch failed; rolling back to the last commit');
      await this.rewind(task);
      // kafkajs errors (a heartbeat refused for a rebalance) are kafkajs's to handle
      if (isKafkaError(error)) throw error;
      // anything else is transient (e.g. the registry is unreachable): retry from the last commit after a pause
      await sleep(RETRY_PAUSE_MS);
      return;
    } finally {
      timer();
    }
    // backpressure: while a transaction is under way, what waits for the next one stays bounded
    if (task.uncommitted() >= this.maxUncommitted && task.committing() && !(await this.settle(task))) return;
    await this.commitIfDue(task);
  }

  /**
   * Pauses the partition and gets it a task at its committed positions, off
   * the lock: `task` given, only its positions are read again; otherwise a
   * new task fences the transactional id and restores its stores. Attempts
   * back off until one succeeds or a join, rebalance or stop cancels it.
   */
  private beginRebuild(partition: number, reason: string, from: { readonly task?: StreamTask<In>; readonly proofAfter?: number }): void {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed' || this.rebuilds.has(partition)) return;
    const rebuild: TaskRebuild<In> = { reason, cancelled: false, attempt: 0, proofAfter: from.proofAfter, task: from.task, retained: from.task !== undefined, lastError: undefined };
    this.rebuilds.set(partition, rebuild);
    this.pausePartition(partition);
    for (const topic of this.definition.inputs) this.progress.note(topic, partition, reason);
    void this.runRebuild(partition, rebuild).catch((error: unknown) => this.fail(error));
  }

  private async runRebuild(partition: number, rebuild: TaskRebuild<In>): Promise<void> {
    for (;;) {
      if (rebuild.cancelled) return this.dropBuilt(rebuild);
      try {
        if (rebuild.proofAfter !== undefined) await this.membershipConfirmed(rebuild, rebuild.proofAfter);
        if (rebuild.cancelled) return this.dropBuilt(rebuild);
        rebuild.task ??= await this.buildTask(partition);
        const positions = await this.stableCommittedPositions(partition);
        if (rebuild.retained && !this.keepsPositions(rebuild.task, positions)) {
          this.logger.warn({ partition, committed: Object.fromEntries(positions) }, 'the group committed past this task while it was not ours: rebuilding it from its changelogs');
          rebuild.retained = false;
          rebuild.task = undefined;
          continue;
        }
        const installed = await this.lock.run(async () => {
          if (rebuild.cancelled || this.rebuilds.get(partition) !== rebuild || rebuild.task === undefined) return false;
          const { task } = rebuild;
          // the consumer first: should it refuse (replaced meanwhile), nothing here changed and the attempt is retried
          const steered = steer(this.consumer, (consumer) => {
            for (const [topic, offset] of positions) consumer.seek({ topic, partition, offset });
            consumer.resume(this.definition.inputs.map((topic) => ({ topic, partitions: [partition] })));
          });
          if (!steered) throw new Error(`the consumer is not running: partition ${partition} waits for the next one`);
          this.rebuilds.delete(partition);
          this.tasks.set(partition, task);
          task.startAt(positions);
          for (const [topic, offset] of positions) {
            this.progress.committed(topic, partition, offset);
            this.progress.note(topic, partition, undefined);
          }
          return true;
        });
        if (!installed) return this.dropBuilt(rebuild);
        if (!rebuild.retained) this.metrics.taskRebuilds.inc({ reason: rebuild.proofAfter === undefined ? 'assigned' : 'failed' });
        if (rebuild.attempt > 0 || rebuild.proofAfter !== undefined) {
          this.logger.info({ partition, reason: rebuild.reason, attempts: rebuild.attempt + 1, positions: Object.fromEntries(positions) }, 'task ready again at its committed positions');
        }
        return;
      } catch (error) {
        if (isFatalKafkaError(error)) throw error;
        // a task half built is not kept: the next attempt starts over
        if (!rebuild.retained && rebuild.task !== undefined) {
          const failed = rebuild.task;
          rebuild.task = undefined;
          await failed.close().catch(() => undefined);
        }
        const delayMs = backoffDelay(this.backoff, rebuild.attempt++);
        rebuild.lastError = errorText(error);
        this.logger.warn({ partition, reason: rebuild.reason, attempt: rebuild.attempt, retryInMs: delayMs, err: rebuild.lastError }, 'task not ready yet; retrying');
        await sleep(delayMs);
      }
    }
  }

  /** A rebuild cancelled with a task of its own: that task is released (a retained one stays with this.tasks). */
  private async dropBuilt(rebuild: TaskRebuild<In>): Promise<void> {
    if (rebuild.retained || rebuild.task === undefined) return;
    const task = rebuild.task;
    rebuild.task = undefined;
    await task.close().catch(() => undefined);
  }

  /**
   * Resolves once the group coordinator accepted a heartbeat sent after
   * `since`: this instance is still a member of the current generation, so
   * the partition is still its own. kafkajs heartbeats at most once per
   * interval, so one answered an interval after `since` was sent after it.
   */
  private async membershipConfirmed(rebuild: TaskRebuild<In>, since: number): Promise<void> {
    while (!rebuild.cancelled && this.lastHeartbeatAt <= since + HEARTBEAT_INTERVAL_MS) await sleep(100);
  }

  private async buildTask(partition: number): Promise<StreamTask<In>> {
    if (!this.changelogReader) throw new Error(`processor ${this.definition.name} was not started`);
    const task = new StreamTask<In>({
      kafka: this.options.kafka,
      changelogReader: this.changelogReader,
      definition: this.definition,
      partition,
      codec: this.options.codec,
      tables: this.tables as ReadonlyMap<string, ReadonlyTable<unknown>>,
      metrics: this.metrics,
      logger: this.logger,
      transactionTimeoutMs: this.options.transactionTimeoutMs ?? DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS,
    });
    try {
      // the reader heartbeats nothing: this runs off the lock, so kafkajs keeps heartbeating by itself
      await task.init(async () => undefined);
    } catch (error) {
      await task.close().catch(() => undefined);
      throw error;
    }
    return task;
  }

  private cancelRebuilds(): void {
    for (const rebuild of this.rebuilds.values()) rebuild.cancelled = true;
    this.rebuilds.clear();
  }

  private pausePartition(partition: number): void {
    steer(this.consumer, (consumer) => consumer.pause(this.definition.inputs.map((topic) => ({ topic, partitions: [partition] }))));
  }

  /**
   * A task kept across a join goes on from its own last commit where Kafka
   * does not show it yet (a transaction whose offsets the coordinator is
   * still applying), and may not go on at all where the group committed
   * past it: someone else processed those records, and its stores miss them.
   */
  private keepsPositions(task: StreamTask<In>, positions: Map<string, string>): boolean {
    for (const { topic, offset } of task.committedPositions()) {
      const kafka = positions.get(topic);
      if (kafka === undefined || BigInt(kafka) < BigInt(offset)) positions.set(topic, offset);
      else if (BigInt(kafka) > BigInt(offset)) return false;
    }
    return true;
  }

  /** The committed positions, read until two reads in a row agree (see the header). */
  private async stableCommittedPositions(partition: number): Promise<Map<string, string>> {
    let positions = await this.committedPositions(partition);
    for (let read = 1; read < POSITIONS_READS; read++) {
      await sleep(POSITIONS_SETTLE_MS);
      const again = await this.committedPositions(partition);
      if ([...again].every(([topic, offset]) => positions.get(topic) === offset)) return again;
      this.logger.info({ partition, before: Object.fromEntries(positions), now: Object.fromEntries(again) }, 'committed positions moved while read; reading again');
      positions = again;
    }
    return positions;
  }

  /** Each input's committed offset for the partition, or its log start when the group never committed. */
  private async committedPositions(partition: number): Promise<Map<string, string>> {
    const { admin } = this;
    if (!admin) throw new Error(`processor ${this.definition.name} was not started`);
    const positions = new Map<string, string>();
    for (const topic of this.definition.inputs) {
      const [committed] = await admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
      const offset = committed?.partitions.find((p) => p.partition === partition)?.offset;
      if (offset !== undefined && Number(offset) >= 0) positions.set(topic, offset);
      else {
        const low = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition)?.low;
        positions.set(topic, low ?? '0');
      }
    }
    return positions;
  }

  /**
   * Seals the task's work and starts its transaction, when there is some and
   * it is due (its interval passed, or it holds too many records) or
   * `force`d, and no transaction of the task is under way. Each task has its
   * own producer, so the transactions of different tasks overlap.
   */
  private async commitIfDue(task: StreamTask<In>, force = false): Promise<void> {
    if (this.rebuilds.has(task.partition) || task.committing() || task.commitFailure() !== undefined || !task.hasProgress()) return;
    if (this.state !== 'running' && !force) return;
    const due = task.uncommitted() >= this.maxUncommitted || task.sinceLastCommitMs() >= this.commitIntervalMs;
    if (!force && !due) {
      this.wakeForCommit(task, this.commitIntervalMs - task.sinceLastCommitMs());
      return;
    }
    let sent;
    try {
      sent = await task.beginCommit(this.groupId);
    } catch (error) {
      this.logger.warn({ err: error, partition: task.partition }, 'commit failed before sending; rolled back to the last commit');
      await this.rewind(task);
      return;
    }
    if (sent === undefined) return;
    this.wakeForCommit(task, this.commitIntervalMs);
    void sent.outcome
      .then(() =>
        this.lock.run(async () => {
          // released meanwhile, or rolled back (a rebalance, a stop) after the transaction settled
          if (this.tasks.get(task.partition) !== task) return;
          if (await this.settle(task)) {
            for (const { topic, offset } of task.committedPositions()) this.progress.committed(topic, task.partition, offset);
            await this.commitIfDue(task);
          }
        }),
      )
      .catch((error: unknown) => this.logger.error({ err: error, partition: task.partition }, 'handling a transaction outcome failed'));
  }

  /**
   * Checks the task again in `delayMs`: its next commit starts when it falls
   * due, not at the next batch, which may be long in coming. (A transaction
   * still under way then starts the next one itself when it lands.) Only
   * while running: stop() commits what is left itself.
   */
  private wakeForCommit(task: StreamTask<In>, delayMs: number): void {
    if (this.state !== 'running') return;
    const at = performance.now() + delayMs;
    const pending = this.commitTimers.get(task);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.commitTimers.delete(task);
      void this.lock.run(async () => {
        if (this.tasks.get(task.partition) === task) await this.commitIfDue(task);
      });
    }, Math.max(0, delayMs));
    timer.unref();
    this.commitTimers.set(task, { at, timer });
  }

  /**
   * Waits for the task's transaction under way. Returns true when none
   * failed; otherwise the task is discarded (its producer and stores can no
   * longer be trusted) and its partition rebuilt from what Kafka committed.
   */
  private async settle(task: StreamTask<In>): Promise<boolean> {
    await task.settled();
    const failure = task.commitFailure();
    if (failure === undefined) return true;
    const fenced = isFencing(failure.error);
    this.logger.warn(
      { err: errorText(failure.error), partition: task.partition, fenced },
      fenced
        ? 'task fenced (a newer owner, or the broker timed its transaction out); rebuilding it once a heartbeat confirms the partition is still ours'
        : 'transaction failed, its outcome possibly unknown; rebuilding the task from what Kafka committed',
    );
    await this.discard(task);
    this.beginRebuild(task.partition, fenced ? 'fenced' : 'transaction failed', { proofAfter: Date.now() });
    return false;
  }

  private async discard(task: StreamTask<In>): Promise<void> {
    if (this.tasks.get(task.partition) === task) this.tasks.delete(task.partition);
    const pending = this.commitTimers.get(task);
    if (pending !== undefined) clearTimeout(pending.timer);
    this.commitTimers.delete(task);
    await task.close().catch((error: unknown) => this.logger.warn({ err: errorText(error), partition: task.partition }, 'closing a failed task failed'));
  }

  /** Rolls the task back to its last commit: the consumer must read again from the committed positions. */
  private async rewind(task: StreamTask<In>): Promise<void> {
    if (!(await this.settle(task))) return;
    task.rollback();
    for (const { topic, offset } of task.committedPositions()) {
      steer(this.consumer, (consumer) => consumer.seek({ topic, partition: task.partition, offset }));
    }
  }

  /** Drops every task's uncommitted work; a task whose last transaction failed is discarded (the next join rebuilds it). */
  private async abortAll(reason: string): Promise<void> {
    // a transaction under way lands (or fails) first: only what comes after it is dropped
    await Promise.all([...this.tasks.values()].map(async (task) => task.settled()));
    for (const task of [...this.tasks.values()]) {
      if (task.commitFailure() !== undefined) {
        this.logger.warn({ partition: task.partition, reason, err: errorText(task.commitFailure()?.error) }, 'task with a failed transaction discarded');
        await this.discard(task);
        continue;
      }
      if (task.hasProgress()) this.logger.info({ partition: task.partition, reason, records: task.uncommitted() }, 'uncommitted work dropped');
      task.rollback();
    }
  }

  /** The instance cannot go on: say why, and let the service exit. */
  private fail(error: unknown): void {
    if (this.state === 'failed' || this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'failed';
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.cancelRebuilds();
    clearInterval(this.watchdog);
    this.logger.error({ err: this.failure }, 'processor cannot recover from this fault; exiting for a supervisor to restart it');
    this.options.onFatal?.(this.failure);
  }

  /** Graceful stop: commit what is processed, leave the group, release everything. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.cancelRebuilds();
    clearInterval(this.watchdog);
    for (const { timer } of this.commitTimers.values()) clearTimeout(timer);
    this.commitTimers.clear();
    await this.lock.run(async () => {
      if (!wasRunning) return this.abortAll('stop');
      await Promise.all(
        [...this.tasks.values()].map(async (task) => {
          if (!(await this.settle(task))) return;
          await this.commitIfDue(task, true);
          await this.settle(task);
        }),
      );
    });
    await this.consumer?.disconnect();
    await this.lock.run(async () => {
      for (const task of this.tasks.values()) await task.close();
      this.tasks.clear();
    });
    for (const table of this.tables.values()) await table.stop();
    await this.changelogReader?.close();
    await this.admin?.disconnect();
    this.state = 'stopped';
    this.logger.info('stopped');
  }

  health(): HealthReport {
    const progress = this.progress.report();
    const serving = this.state === 'running' || this.state === 'rebalancing';
    const reason = !serving ? `state ${this.state}${this.failure ? `: ${this.failure.message}` : ''}` : progress.reason;
    return {
      ready: serving && progress.ready,
      detail: {
        state: this.state,
        reason,
        failure: this.failure?.message,
        stalled: progress.stalled,
        sinceContactMs: progress.sinceContactMs,
        lockHeldMs: this.lock.heldForMs(),
        rebuilding: [...this.rebuilds].map(([partition, r]) => ({ partition, reason: r.reason, attempts: r.attempt, lastError: r.lastError })),
        tasks: [...this.tasks.values()].map((task) => ({ partition: task.partition, uncommitted: task.uncommitted(), stores: task.storeSizes() })),
        tables: Object.fromEntries([...this.tables].map(([name, table]) => [name, table.size()])),
      },
    };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

