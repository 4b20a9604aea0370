/**
 * The streaming engine of one processor instance, exactly-once the way
 * Kafka Streams' EOS v2 (KIP-447) is: a consumer group over the processor's
 * inputs, one StreamTask per assigned partition number, and one
 * transactional producer for the whole instance. Each commit is one
 * transaction holding every task's outputs, dead letters, changelog writes
 * and input positions, the positions sent with the group's generation and
 * member id, so the group coordinator refuses a zombie's: a member the group
 * moved on from can only abort.
 *
 * Processing, the start of a commit, its outcome, joins and recoveries run
 * one at a time (a single lock). The transaction is sent outside the lock,
 * so the next batches are processed while it commits; the next commit
 * starts when it is due and the last one has landed.
 *
 * Faults:
 * - A group join (a rebalance, a member expelled and back, a first join):
 *   the transaction under way lands or fails first; every task's
 *   uncommitted work is dropped; revoked tasks are closed; new ones restore
 *   their stores from the changelogs; every task starts from the committed
 *   positions, read with require_stable (pending transactions first
 *   resolve). A kept task whose partition the group committed past while it
 *   was not this instance's (another owner processed it) is rebuilt.
 * - A failed transaction: the producer is replaced by a new one with the
 *   same transactional id, which fences the old one and makes the
 *   coordinator finish whatever it left open. Then the committed positions
 *   tell whether the transaction landed after all (a broker gone during
 *   EndTxn): each task in it keeps its sealed work if they show it, drops it
 *   otherwise, and is rebuilt if they show someone else's progress.
 * - Group membership is the client's (heartbeats, rejoins); a rejoin that
 *   fails, or a member out of its group for two sessions, is joined again
 *   here with backoff. Errors no retry can fix (credentials, permissions)
 *   end the instance through onFatal.
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_HEALTH_STALL_TIMEOUT_MS,
  DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS,
  DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS,
  DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS,
  type KafkaConfig,
} from '../../lib/config';
import {
  createAdmin,
  createConsumer,
  createTransactionalProducer,
  ListOffsetTimestamps,
  type Admin,
  type Consumer,
  type RecordProducer,
} from '../../lib/kafka/clients';
import { createReader } from '../../lib/kafka/topic-reader';
import { untilKafkaAnswers } from '../../lib/kafka/until-kafka-answers';
import { errorIds, isFatalKafkaError, isGenerationLost } from '../../lib/kafka/errors';
import { GroupMember } from '../../lib/kafka/group-membership';
import { PartitionFetcher, type FetchedBatch } from '../../lib/kafka/partition-fetcher';
import { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';
import { abortLeftovers, commitTransaction, currentMembership, type CommitPosition } from '../../lib/kafka/transaction';
import { deadLetterTopic } from '../../lib/topics';
import type { Logger } from '../../lib/logger';
import { BackoffPolicy, KAFKA_RECOVERY_BACKOFF } from '../../lib/retry/backoff';
import { sleep } from '../../lib/retry/retry-until-done';
import { within } from '../../lib/retry/within';
import type { TaggedValue } from '../../lib/serde';
import { PartitionProgress } from '../../lib/streaming/partition-progress';
import type { RecordCodec } from '../../lib/streaming/codec';
import { GlobalTable } from './global-table';
import type { HealthReport } from '../../lib/streaming/http-endpoint';
import { Lock } from '../../lib/streaming/lock';
import { ProcessorMetrics } from './metrics';
import type { ProcessorDefinition, ReadonlyTable } from './processor';
import { requestChunks } from '../../lib/kafka/request-chunks';
import { StreamTask } from './stream-task';

export interface StreamAppOptions<In extends TaggedValue> {
  readonly kafka: KafkaConfig;
  readonly definition: ProcessorDefinition<In>;
  readonly codec: RecordCodec;
  readonly logger: Logger;
  readonly metrics?: ProcessorMetrics;
  /**
   * Names this instance's transactional id (`<group>-<instanceId>`). A
   * restart with the same id fences what the previous run left open at once;
   * two live instances must not share one. Default: a new id per start.
   */
  readonly instanceId?: string;
  /** Start a commit at least this often while there is progress (see DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS). */
  readonly commitIntervalMs?: number;
  /** ...and as soon as a task holds this many uncommitted records. */
  readonly maxUncommittedRecords?: number;
  readonly transactionTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
  /** /health is not ready while a partition with lag commits nothing, or the consumer reaches no broker, for this long. */
  readonly stallTimeoutMs?: number;
  /** Pauses between reconnects and recovery attempts. */
  readonly backoff?: BackoffPolicy;
  /** The instance met a fault it cannot recover from; the service exits. */
  readonly onFatal?: (error: Error) => void;
}

const RETRY_PAUSE_MS = 1000;
const HEARTBEAT_INTERVAL_MS = 1000;
const WATCHDOG_INTERVAL_MS = 1000;
/** How long a failed transaction's abort may take before the instance goes on without it. */
const ABORT_WAIT_MS = 3_000;

type State = 'created' | 'starting' | 'running' | 'rebalancing' | 'recovering' | 'stopping' | 'stopped' | 'failed';

/** The transaction under way: which tasks sealed work into it, and how it ends. */
interface InFlight<In extends TaggedValue> {
  readonly tasks: readonly StreamTask<In>[];
  readonly records: number;
  readonly done: Promise<{ readonly ok: true } | { readonly ok: false; readonly error: unknown }>;
  handled: boolean;
}

export class StreamApp<In extends TaggedValue> {
  readonly metrics: ProcessorMetrics;
  readonly transactionalId: string;
  private readonly definition: ProcessorDefinition<In>;
  private readonly logger: Logger;
  private readonly lock = new Lock();
  private readonly tasks = new Map<number, StreamTask<In>>();
  private readonly tables = new Map<string, GlobalTable<unknown>>();
  private readonly progress: PartitionProgress;
  private consumer: Consumer | undefined;
  private restoreConsumer: Consumer | undefined;
  private restoreReader: PartitionRangeReader | undefined;
  private fetcher: PartitionFetcher | undefined;
  private producer: RecordProducer | undefined;
  private admin: Admin | undefined;
  /** The generation the tasks belong to; a commit under another one is not started. */
  private generation = -1;
  /** Partition numbers the last join assigned. */
  private assigned = new Set<number>();
  /** Bumped by every join and recovery: a preparation started before is not installed. */
  private preparations = 0;
  private preparing: string | undefined;
  private inFlight: InFlight<In> | undefined;
  private lastCommitAt = Date.now();
  private commitTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private member: GroupMember | undefined;
  private state: State = 'created';
  private failure: Error | undefined;
  private readonly commitIntervalMs: number;
  private readonly maxUncommitted: number;
  private readonly backoff: BackoffPolicy;
  private readonly sessionTimeoutMs: number;
  private readonly transactionTimeoutMs: number;
  /** A recovery step (a producer's initialization, an offsets read) that takes longer is tried again. */
  private readonly stepTimeoutMs: number;

  constructor(private readonly options: StreamAppOptions<In>) {
    this.definition = options.definition;
    this.logger = options.logger.child({ processor: options.definition.name });
    this.metrics = options.metrics ?? new ProcessorMetrics(options.definition.name);
    this.commitIntervalMs = options.commitIntervalMs ?? DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS;
    this.maxUncommitted = options.maxUncommittedRecords ?? 20_000;
    this.backoff = options.backoff ?? KAFKA_RECOVERY_BACKOFF;
    this.progress = new PartitionProgress(options.stallTimeoutMs ?? DEFAULT_HEALTH_STALL_TIMEOUT_MS);
    this.metrics.trackProgress(this.progress);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS;
    this.stepTimeoutMs = 2 * this.sessionTimeoutMs;
    this.transactionalId = `${options.definition.name}-${options.instanceId ?? randomUUID()}`;
  }

  get groupId(): string {
    return this.definition.name;
  }

  /** Connects (waiting for Kafka while it is unreachable), loads the tables, initializes the producer and joins the group. */
  async start(): Promise<void> {
    this.state = 'starting';
    const { kafka } = this.options;
    const name = this.definition.name;
    this.admin = createAdmin(kafka, `${name}-admin`);
    await this.untilConnected('connect to Kafka', async () => {
      await this.admin!.metadata({ topics: [...this.definition.inputs] });
    });
    for (const spec of this.definition.tables) {
      const table = new GlobalTable(kafka, spec, name, this.logger);
      await this.untilConnected(`load table ${spec.name}`, () => table.start());
      this.tables.set(spec.name, table);
    }
    await this.untilConnected('initialize the transactional producer', () => this.newProducer());
    this.restoreConsumer = createReader(kafka, `${name}-restore`);
    this.restoreReader = new PartitionRangeReader(this.restoreConsumer, this.logger);
    const consumer = createConsumer(kafka, {
      clientId: name,
      groupId: this.groupId,
      sessionTimeoutMs: this.sessionTimeoutMs,
      // the coordinator waits this long for every member to rejoin
      rebalanceTimeoutMs: 2 * this.sessionTimeoutMs,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    });
    this.consumer = consumer;
    consumer.topics.trackAll(...this.definition.inputs);
    this.member = new GroupMember({
      consumer,
      logger: this.logger,
      topics: this.definition.inputs,
      sessionTimeoutMs: this.sessionTimeoutMs,
      rebalanceTimeoutMs: 2 * this.sessionTimeoutMs,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      backoff: this.backoff,
      // the inputs are co-partitioned: a task is a partition number across them
      onJoin: (generation, assignment) =>
        void this.lock.run(async () => this.onJoin(generation, new Set(assignment.map((a) => a.partition)))).catch((error: unknown) => this.fail(error)),
      onRebalance: () => {
        // a commit now would be refused for the old generation: none starts until the join
        if (this.state === 'running') this.state = 'rebalancing';
      },
      onContact: () => this.progress.contact(),
      onRejoin: () => this.metrics.groupRejoins.inc(),
      onFatal: (error) => this.fail(error),
      // work refused for an old generation waits for a join the client may not start
      waitingForJoin: () => this.state === 'rebalancing' && this.preparing === undefined,
    });
    this.fetcher = new PartitionFetcher({
      consumer,
      logger: this.logger,
      maxBytesPerPartition: 4 * 1024 * 1024,
      onBatch: (batch, current) => this.lock.run(async () => this.handleBatch(batch, current)),
      onFetch: () => this.progress.contact(),
      backoff: this.backoff,
    });
    this.fetcher.start();
    this.fetcher.done().catch((error: unknown) => this.fail(error));
    await this.member.join();
    this.watchdog = setInterval(() => this.watchLock(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
  }

  /** Runs a Kafka step until it succeeds, logging each wait; gives up on errors no retry fixes (the service's own among them), or a stop. */
  private untilConnected<T>(what: string, step: () => Promise<T>): Promise<T> {
    return untilKafkaAnswers(what, step, {
      logger: this.logger,
      policy: this.backoff,
      stopped: () => this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed',
    });
  }

  /** A new producer for the instance's transactional id: initializing it fences the one before and ends what that left open. */
  private async newProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    if (old !== undefined) await closeWithin(() => old.close(true), ABORT_WAIT_MS);
    const producer = createTransactionalProducer(this.options.kafka, `${this.definition.name}-producer`, this.transactionalId, this.transactionTimeoutMs);
    try {
      // beginning a transaction initializes the transactional id (InitProducerId); nothing is sent in it
      await within(this.stepTimeoutMs, 'initializing the transactional id', async () => {
        const fence = await producer.beginTransaction();
        await fence.cancel();
      });
    } catch (error) {
      await closeWithin(() => producer.close(true), ABORT_WAIT_MS);
      throw error;
    }
    this.producer = producer;
  }

  private watchLock(): void {
    const heldMs = this.lock.heldForMs();
    if (heldMs !== undefined && heldMs > this.sessionTimeoutMs)
      this.logger.warn({ heldMs }, 'the engine lock is held for longer than a session (a request waiting on a broker or a store that does not answer?)');
  }

  /** Under the lock: a new generation. Everything uncommitted is dropped; the tasks are prepared off the lock. */
  private async onJoin(generation: number, partitions: Set<number>): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') return;
    await this.settleCommit();
    // joins are handled in order; one overtaken by a newer generation is moot
    if (generation < this.generation || generation !== this.consumer?.generationId) return;
    const preparation = ++this.preparations;
    this.state = 'rebalancing';
    this.generation = generation;
    this.assigned = partitions;
    this.fetcher?.releaseAll();
    for (const [partition, task] of this.tasks) {
      task.rollback();
      if (partitions.has(partition)) continue;
      this.tasks.delete(partition);
      task.close();
      this.logger.info({ partition }, 'task revoked and released');
    }
    this.progress.assign([...partitions].flatMap((partition) => this.definition.inputs.map((topic) => ({ topic, partition }))));
    this.logger.info({ generation, partitions: [...partitions].sort((a, b) => a - b) }, 'partitions assigned');
    void this.prepare(preparation, 'assigned').catch((error: unknown) => this.fail(error));
  }

  /**
   * Off the lock: tasks for every assigned partition at their committed
   * positions. New tasks restore their stores; kept ones stay as they are
   * unless the group committed past them. Installed under the lock unless a
   * newer join (or a recovery) came meanwhile.
   */
  private async prepare(preparation: number, reason: string): Promise<void> {
    this.preparing = reason;
    for (const partition of this.assigned) for (const topic of this.definition.inputs) this.progress.note(topic, partition, reason);
    const partitions = [...this.assigned];
    const positions = await this.settledPositions(partitions);
    if (preparation !== this.preparations) return;
    const built = new Map<number, StreamTask<In>>();
    await this.untilConnected('restore the state stores', async () => {
      await Promise.all(
        partitions.map(async (partition) => {
          const kept = this.tasks.get(partition);
          if (kept !== undefined && samePositions(kept.committedPositions(), positions.get(partition)!)) return;
          if (kept !== undefined)
            this.logger.warn({ partition }, 'the group committed past this task while it was not ours: rebuilding it from its changelogs');
          if (built.has(partition)) return;
          const task = this.newTask(partition);
          await task.restore(this.restoreReader!);
          this.metrics.taskRebuilds.inc({ reason: kept !== undefined ? 'stale' : reason === 'assigned' ? 'assigned' : 'failed' });
          built.set(partition, task);
        }),
      );
    });
    await this.lock.run(async () => {
      if (preparation !== this.preparations || this.state === 'stopping' || this.state === 'stopped' || this.state === 'failed') {
        for (const task of built.values()) task.close();
        return;
      }
      for (const [partition, task] of built) {
        this.tasks.get(partition)?.close();
        this.tasks.set(partition, task);
      }
      for (const partition of partitions) {
        const task = this.tasks.get(partition)!;
        const at = positions.get(partition)!;
        task.startAt(at);
        for (const [topic, offset] of at) {
          this.fetcher?.assign(topic, partition, offset);
          this.progress.committed(topic, partition, offset);
          this.progress.note(topic, partition, undefined);
        }
      }
      this.preparing = undefined;
      this.lastCommitAt = Date.now();
      this.state = 'running';
      this.logger.info({ generation: this.generation, partitions: partitions.sort((a, b) => a - b) }, 'tasks ready at their committed positions');
    });
  }

  private newTask(partition: number): StreamTask<In> {
    return new StreamTask<In>({
      definition: this.definition,
      partition,
      codec: this.options.codec,
      tables: this.tables as ReadonlyMap<string, ReadonlyTable<unknown>>,
      metrics: this.metrics,
      logger: this.logger,
    });
  }

  /**
   * The committed positions once no transaction holds offsets of these
   * partitions pending (require_stable). Any such transaction ends within
   * the transaction timeout (its producer ends it, or the broker aborts it).
   * A broker that crashed while it ended one can lose its markers, and then
   * answers UNSTABLE_OFFSET_COMMIT for good: after a failed transaction
   * (`onStillPending`), past the timeout, this instance aborts what its own
   * earlier epochs left open, and reads again.
   */
  private async settledPositions(partitions: readonly number[], onStillPending?: () => Promise<void>): Promise<Map<number, Map<string, bigint>>> {
    const started = Date.now();
    let cleared = onStillPending === undefined;
    return this.untilConnected('read the committed positions', async () => {
      if (!cleared && Date.now() - started > this.transactionTimeoutMs) {
        cleared = true;
        this.logger.warn(
          { partitions, waitedMs: Date.now() - started },
          'committed offsets still pending past the transaction timeout: aborting what this instance left open',
        );
        await onStillPending?.();
      }
      return this.committedPositions(partitions);
    });
  }

  /** Aborts whatever earlier epochs of this instance's transactional id left open in every partition it writes and in the group's offsets (lib/kafka/transaction.ts). */
  private async abortLeftovers(): Promise<void> {
    const { producer, consumer } = this;
    if (producer === undefined || consumer === undefined) return;
    const topics = [
      ...new Set([
        ...this.definition.outputs,
        ...this.definition.stores.map((s) => s.changelogTopic),
        ...this.definition.inputs.map((t) => deadLetterTopic(t)),
      ]),
    ];
    const metadata = await within(this.stepTimeoutMs, 'reading the output topics', () => producer.metadata({ topics }));
    const partitions = topics.flatMap((topic) =>
      Array.from({ length: metadata.topics.get(topic)?.partitionsCount ?? 0 }, (_, partition) => ({ topic, partition })),
    );
    await within(this.stepTimeoutMs, 'aborting what earlier epochs left open', () => abortLeftovers(producer, partitions, consumer));
  }

  /** Per partition, each input's committed offset, or its log start when the group never committed. */
  private async committedPositions(partitions: readonly number[]): Promise<Map<number, Map<string, bigint>>> {
    const result = new Map<number, Map<string, bigint>>(partitions.map((p) => [p, new Map()]));
    if (partitions.length === 0) return result;
    const admin = this.admin ?? (this.admin = createAdmin(this.options.kafka, `${this.definition.name}-admin`));
    try {
      const topics = this.definition.inputs.map((name) => ({ name, partitionIndexes: [...partitions] }));
      const [group] = await within(this.stepTimeoutMs, 'reading the committed offsets', () =>
        admin.listConsumerGroupOffsets({ groups: [{ groupId: this.groupId, topics }], requireStable: true }),
      );
      const committed = (topic: string, partition: number) =>
        group?.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.committedOffset ?? -1n;
      // the log starts only matter for what the group never committed (most reads: none)
      const uncommitted = this.definition.inputs
        .map((name) => ({
          name,
          partitions: partitions.filter((p) => committed(name, p) < 0n).map((partitionIndex) => ({ partitionIndex, timestamp: ListOffsetTimestamps.EARLIEST })),
        }))
        .filter((t) => t.partitions.length > 0);
      const starts =
        uncommitted.length === 0 ? [] : await within(this.stepTimeoutMs, 'reading the log starts', () => admin.listOffsets({ topics: uncommitted }));
      for (const topic of this.definition.inputs) {
        for (const partition of partitions) {
          const offset = committed(topic, partition);
          const start = starts.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? 0n;
          result.get(partition)!.set(topic, offset >= 0n ? offset : start);
        }
      }
      return result;
    } catch (error) {
      // the next attempt starts on new connections: a client's may outlive a broker crash unusable
      this.admin = undefined;
      await closeWithin(() => admin.close(), ABORT_WAIT_MS);
      throw error;
    }
  }

  private async handleBatch(batch: FetchedBatch, current: () => boolean): Promise<void> {
    const { partition } = batch;
    this.progress.observedEnd(batch.topic, partition, batch.highWatermark);
    // fetched before a join, a recovery or a rewind that held the lock while this waited: read again from the positions it set
    if (this.state !== 'running' || !current()) return;
    const task = this.tasks.get(partition);
    if (task === undefined) return;
    const timer = this.metrics.batchLatency.startTimer();
    try {
      await task.processBatch(batch);
    } catch (error) {
      this.logger.error({ err: error, topic: batch.topic, partition }, 'batch failed; rolling back to the last commit');
      await this.rewind(task);
      // transient (e.g. the registry is unreachable): retry from the last commit after a pause
      await sleep(RETRY_PAUSE_MS);
      return;
    } finally {
      timer();
    }
    // backpressure: while a transaction is under way, what waits for the next one stays bounded
    if (task.uncommitted() >= this.maxUncommitted && this.inFlight !== undefined) await this.settleCommit();
    await this.maybeCommit();
  }

  /** Rolls the task back to its last commit (once the transaction under way ended) and reads its partition again from there. */
  private async rewind(task: StreamTask<In>): Promise<void> {
    await this.settleCommit();
    if (this.tasks.get(task.partition) !== task || this.state !== 'running') return;
    task.rollback();
    for (const [topic, offset] of task.committedPositions()) this.fetcher?.seek(topic, task.partition, offset);
  }

  /**
   * Seals every task's work and starts the instance's transaction, when
   * there is some, it is due (the interval passed, or a task holds too many
   * records) or `force`d, and no transaction is under way (the one under way
   * starts the next when it lands).
   */
  private async maybeCommit(force = false): Promise<void> {
    if (this.inFlight !== undefined || this.producer === undefined || this.consumer === undefined) return;
    if (this.state !== 'running' && !force) return;
    const busy = [...this.tasks.values()].filter((task) => task.hasProgress());
    if (busy.length === 0) return;
    const sinceMs = Date.now() - this.lastCommitAt;
    const due = force || sinceMs >= this.commitIntervalMs || busy.some((task) => task.uncommitted() >= this.maxUncommitted);
    if (!due) return this.wakeForCommit(this.commitIntervalMs - sinceMs);
    const membership = currentMembership(this.consumer);
    if (membership === undefined || membership.generationId !== this.generation) return; // a join is coming: it drops this work
    const sealed: StreamTask<In>[] = [];
    const messages = [];
    const positions: CommitPosition[] = [];
    for (const task of busy) {
      let work;
      try {
        work = await task.seal();
      } catch (error) {
        this.logger.warn({ err: errorText(error), partition: task.partition }, 'commit failed before sending; rolled back to the last commit');
        for (const [topic, offset] of task.committedPositions()) this.fetcher?.seek(topic, task.partition, offset);
        continue;
      }
      if (work === undefined) continue;
      sealed.push(task);
      messages.push(...work.messages);
      for (const [topic, offset] of work.positions) positions.push({ topic, partition: task.partition, offset });
    }
    if (sealed.length === 0) return;
    this.lastCommitAt = Date.now();
    const producer = this.producer;
    const timer = this.metrics.commitLatency.startTimer();
    const inFlight: InFlight<In> = {
      tasks: sealed,
      records: messages.length,
      handled: false,
      done: commitTransaction(producer, requestChunks(messages), positions, membership, ABORT_WAIT_MS).then(
        () => {
          timer();
          return { ok: true as const };
        },
        (error: unknown) => ({ ok: false as const, error }),
      ),
    };
    this.inFlight = inFlight;
    void inFlight.done.then(() => this.lock.run(async () => this.finishCommit(inFlight))).catch((error: unknown) => this.fail(error));
    this.wakeForCommit(this.commitIntervalMs);
  }

  /** Under the lock: waits for the transaction under way, if any, and handles its outcome. */
  private async settleCommit(): Promise<void> {
    if (this.inFlight !== undefined) await this.finishCommit(this.inFlight);
  }

  private async finishCommit(inFlight: InFlight<In>): Promise<void> {
    if (inFlight.handled) return;
    inFlight.handled = true;
    const outcome = await inFlight.done;
    if (this.inFlight === inFlight) this.inFlight = undefined;
    if (outcome.ok) {
      this.metrics.commits.inc({ result: 'committed' });
      for (const task of inFlight.tasks) {
        task.committed();
        for (const [topic, offset] of task.committedPositions()) this.progress.committed(topic, task.partition, offset);
      }
      await this.maybeCommit();
      return;
    }
    this.metrics.commits.inc({ result: 'aborted' });
    await this.recover(outcome.error, inFlight);
  }

  /**
   * Under the lock, after a failed transaction: a new producer (it fences
   * the old one and settles what it left open), then the committed
   * positions say, task by task, whether the transaction landed.
   */
  private async recover(error: unknown, inFlight: InFlight<In>): Promise<void> {
    if (this.state === 'stopped' || this.state === 'failed') return;
    if (isFatalKafkaError(error)) return this.fail(error);
    // the transaction's own refusal, or a join that happened meanwhile
    const lost = isGenerationLost(error) || this.consumer?.generationId !== this.generation;
    this.logger.warn(
      { err: errorText(error), errors: errorIds(error), records: inFlight.records, partitions: inFlight.tasks.map((t) => t.partition) },
      lost
        ? 'transaction refused: the group moved on without this member; its work is dropped until the next join'
        : 'transaction failed, its outcome possibly unknown; settling it with a new producer',
    );
    const stopping = this.state === 'stopping';
    if (!stopping) this.state = 'recovering';
    let landed = true;
    try {
      await this.untilConnected('replace the transactional producer', () => this.newProducer());
      const partitions = inFlight.tasks.map((task) => task.partition);
      const positions = await this.settledPositions(partitions, () => this.abortLeftovers());
      for (const task of inFlight.tasks) {
        const kafka = positions.get(task.partition)!;
        const sealed = task.sealedPositions();
        if (sealed !== undefined && samePositions(sealed, kafka)) {
          this.logger.info({ partition: task.partition }, 'the failed transaction landed after all: its work is kept');
          task.committed();
        } else if (samePositions(task.committedPositions(), kafka)) {
          landed = false;
          task.rollback();
        } else {
          landed = false;
          // another owner committed past this task: what it holds is stale
          this.logger.warn({ partition: task.partition }, 'the group committed past this task: dropping it until the next join or rebuild');
          this.tasks.delete(task.partition);
          task.close();
        }
      }
    } catch (recoveryError) {
      if (stopping) return;
      throw recoveryError;
    }
    if (stopping) return;
    // a transaction that did not land may have left records without a marker (a broker crash): the next commit would commit them
    if (!landed) await this.untilConnected('abort what the failed transaction left open', () => this.abortLeftovers());
    for (const task of this.tasks.values()) task.rollback();
    if (lost) {
      // the next join prepares every task again
      this.state = 'rebalancing';
      return;
    }
    if ([...this.assigned].some((partition) => !this.tasks.has(partition))) {
      this.state = 'rebalancing';
      void this.prepare(++this.preparations, 'rebuilt after a failed transaction').catch((e: unknown) => this.fail(e));
      return;
    }
    for (const task of this.tasks.values()) for (const [topic, offset] of task.committedPositions()) this.fetcher?.seek(topic, task.partition, offset);
    this.lastCommitAt = Date.now();
    this.state = 'running';
  }

  /** Checks again in `delayMs`: the next commit starts when it falls due, not at the next batch, which may be long in coming. */
  private wakeForCommit(delayMs: number): void {
    if (this.state !== 'running' || this.commitTimer !== undefined) return;
    this.commitTimer = setTimeout(
      () => {
        this.commitTimer = undefined;
        void this.lock.run(async () => this.maybeCommit()).catch((error: unknown) => this.fail(error));
      },
      Math.max(0, delayMs),
    );
    this.commitTimer.unref();
  }

  /** The instance cannot go on: say why, and let the service exit. */
  private fail(error: unknown): void {
    if (this.state === 'failed' || this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'failed';
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.member?.close();
    clearInterval(this.watchdog);
    clearTimeout(this.commitTimer);
    this.logger.error({ err: this.failure }, 'processor cannot recover from this fault; exiting for a supervisor to restart it');
    this.options.onFatal?.(this.failure);
  }

  /** Graceful stop: commit what is processed, leave the group, release everything. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.member?.close();
    clearInterval(this.watchdog);
    clearTimeout(this.commitTimer);
    await this.fetcher?.stop().catch(() => undefined);
    await this.lock.run(async () => {
      await this.settleCommit();
      if (wasRunning) {
        await this.maybeCommit(true);
        await this.settleCommit();
      }
    });
    await this.member
      ?.leave()
      .catch((error: unknown) => this.logger.warn({ err: errorText(error) }, 'leaving the group failed; the coordinator expires the member after its session'));
    await this.consumer?.close(true).catch(() => undefined);
    for (const task of this.tasks.values()) task.close();
    this.tasks.clear();
    for (const table of this.tables.values()) await table.stop();
    await this.restoreReader?.close().catch(() => undefined);
    await this.restoreConsumer?.close(true).catch(() => undefined);
    const { producer } = this;
    if (producer !== undefined) await closeWithin(() => producer.close(true), ABORT_WAIT_MS);
    await this.admin?.close().catch(() => undefined);
    this.state = 'stopped';
    this.logger.info('stopped');
  }

  health(): HealthReport {
    const progress = this.progress.report();
    const serving = this.state === 'running' || this.state === 'rebalancing' || this.state === 'recovering';
    const reason = !serving ? `state ${this.state}${this.failure ? `: ${this.failure.message}` : ''}` : progress.reason;
    return {
      ready: serving && progress.ready,
      detail: {
        state: this.state,
        reason,
        failure: this.failure?.message,
        generation: this.generation,
        stalled: progress.stalled,
        sinceContactMs: progress.sinceContactMs,
        lockHeldMs: this.lock.heldForMs(),
        preparing: this.preparing,
        tasks: [...this.tasks.values()].map((task) => ({ partition: task.partition, uncommitted: task.uncommitted(), stores: task.storeSizes() })),
        tables: Object.fromEntries([...this.tables].map(([name, table]) => [name, table.size()])),
      },
    };
  }
}

function samePositions(a: ReadonlyMap<string, bigint>, b: ReadonlyMap<string, bigint>): boolean {
  if (a.size !== b.size) return false;
  for (const [topic, offset] of a) if (b.get(topic) !== offset) return false;
  return true;
}

/** Closes a client, giving up after `ms`: one that lost its broker may never finish. */
async function closeWithin(close: () => Promise<void>, ms: number): Promise<void> {
  await within(ms, 'closing a Kafka client', close).catch(() => undefined);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
