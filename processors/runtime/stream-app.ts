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
 * way is awaited, and after a rebalance each task reads its committed
 * positions again before it processes, so a transaction that landed while
 * kafkajs rejoined is not read twice.
 */
import { Admin, Batch, Consumer, Kafka, KafkaJSError } from 'kafkajs';
import { DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { TaggedValue } from '../../lib/serde';
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
}

const RETRY_PAUSE_MS = 1000;

type State = 'created' | 'starting' | 'running' | 'rebalancing' | 'stopping' | 'stopped' | 'failed';

export class StreamApp<In extends TaggedValue> {
  readonly metrics: ProcessorMetrics;
  private readonly definition: ProcessorDefinition<In>;
  private readonly logger: Logger;
  private readonly lock = new Lock();
  private readonly tasks = new Map<number, StreamTask<In>>();
  /** Tasks that must read their committed positions again before they process (after a rebalance). */
  private readonly repositioning = new Set<StreamTask<In>>();
  private readonly tables = new Map<string, GlobalTable<unknown>>();
  private consumer: Consumer | undefined;
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

  constructor(private readonly options: StreamAppOptions<In>) {
    this.definition = options.definition;
    this.logger = options.logger.child({ processor: options.definition.name });
    this.metrics = options.metrics ?? new ProcessorMetrics(options.definition.name);
    this.commitIntervalMs = options.commitIntervalMs ?? DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS;
    this.maxUncommitted = options.maxUncommittedRecords ?? 20_000;
  }

  get groupId(): string {
    return this.definition.name;
  }

  async start(): Promise<void> {
    this.state = 'starting';
    const { kafka } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    this.changelogReader = new PartitionReader({
      kafka,
      topics: this.definition.stores.map((s) => s.changelogTopic),
      groupPrefix: `${this.definition.name}-restore`,
      logger: this.logger,
    });
    for (const spec of this.definition.tables) {
      const table = new GlobalTable(kafka, spec, this.definition.name, this.logger);
      await table.start();
      this.tables.set(spec.name, table);
    }
    const consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      // a dead instance's partitions wait this long for a new owner
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumer = consumer;
    const { REBALANCING, GROUP_JOIN, CRASH } = consumer.events;
    onMarkerOnlyBatches(consumer, (topic, partition, lastOffset) => {
      void this.lock.run(async () => this.tasks.get(partition)?.skipMarkers(topic, lastOffset));
    });
    // Fired synchronously just before kafkajs rejoins: drop uncommitted work
    // now, so nothing is committed for partitions that may move.
    consumer.on(REBALANCING, () => {
      this.state = 'rebalancing';
      void this.lock.run(async () => {
        await this.abortAll('rebalance');
        for (const task of this.tasks.values()) this.repositioning.add(task);
      });
    });
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = new Set<number>();
      for (const partitions of Object.values(payload.memberAssignment)) for (const p of partitions) assigned.add(p);
      void this.lock.run(async () => {
        for (const [partition, task] of this.tasks) {
          if (assigned.has(partition)) continue;
          this.tasks.delete(partition);
          this.repositioning.delete(task);
          await task.close();
          this.logger.info({ partition }, 'task revoked and released');
        }
        if (this.state === 'rebalancing' || this.state === 'starting') this.state = 'running';
        this.logger.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'partitions assigned');
      });
    });
    consumer.on(CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.state = 'failed';
      this.failure = payload.error;
      this.logger.error({ err: payload.error }, 'consumer crashed and will not restart');
    });
    await consumer.connect();
    for (const topic of this.definition.inputs) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: ({ batch, resolveOffset, heartbeat, isRunning, isStale }) =>
        this.lock.run(async () => {
          if (!isRunning() || isStale() || this.state === 'rebalancing' || this.state === 'stopping') return;
          await this.handleBatch(batch, resolveOffset, heartbeat);
        }),
    });
  }

  private async handleBatch(batch: Batch, resolveOffset: (offset: string) => void, heartbeat: () => Promise<void>): Promise<void> {
    const existing = this.tasks.get(batch.partition);
    if (existing === undefined || this.repositioning.has(existing)) {
      // The group handed out positions before this task fenced the previous owner
      // (or before this instance's own last transaction landed), and that commit may
      // have completed since (kafkajs has no KIP-447 require_stable). Read them again
      // now and start there; this batch is dropped.
      const task = existing ?? (await this.taskFor(batch.partition, heartbeat));
      this.repositioning.delete(task);
      await task.settled();
      const positions = await this.committedPositions(batch.partition);
      task.startAt(positions);
      for (const [topic, offset] of positions) this.consumer?.seek({ topic, partition: batch.partition, offset });
      return;
    }
    const task = existing;
    const timer = this.metrics.batchLatency.startTimer();
    try {
      await task.processBatch(batch, resolveOffset, heartbeat);
    } catch (error) {
      this.logger.error({ err: error, topic: batch.topic, partition: batch.partition }, 'batch failed; rolling back to the last commit');
      await this.rewind(task);
      // kafkajs errors (a rebalance, a broker going away) are kafkajs's to handle
      if (error instanceof KafkaJSError) throw error;
      // anything else is transient (e.g. the registry is unreachable): retry from the last commit after a pause
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      return;
    } finally {
      timer();
    }
    // backpressure: while a transaction is under way, what waits for the next one stays bounded
    if (task.uncommitted() >= this.maxUncommitted && task.committing() && !(await this.settle(task))) return;
    await this.commitIfDue(task);
  }

  private async taskFor(partition: number, heartbeat: () => Promise<void>): Promise<StreamTask<In>> {
    const existing = this.tasks.get(partition);
    if (existing) return existing;
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
      transactionTimeoutMs: this.options.transactionTimeoutMs ?? 30_000,
    });
    this.tasks.set(partition, task);
    try {
      await task.init(heartbeat);
    } catch (error) {
      this.tasks.delete(partition);
      await task.close().catch(() => undefined);
      throw error;
    }
    return task;
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
    // a task about to read its committed positions again has nothing of its own to commit
    if (this.repositioning.has(task) || task.committing() || task.commitFailure() !== undefined || !task.hasProgress()) return;
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
          if (await this.settle(task)) await this.commitIfDue(task);
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
   * failed; otherwise rolls the task back to its last commit and rewinds the
   * consumer (a fenced task is released: a newer owner has the partition).
   */
  private async settle(task: StreamTask<In>): Promise<boolean> {
    await task.settled();
    const failure = task.commitFailure();
    if (failure === undefined) return true;
    const fenced = isFencing(failure.error);
    this.logger.warn({ err: failure.error, partition: task.partition, fenced }, fenced ? 'task fenced by a newer owner; releasing it' : 'commit failed; rolled back to the last commit');
    await this.rewind(task);
    if (fenced) {
      this.tasks.delete(task.partition);
      await task.close().catch(() => undefined);
    }
    return false;
  }

  /** Rolls the task back to its last commit: the consumer must read again from the committed positions. */
  private async rewind(task: StreamTask<In>): Promise<void> {
    await task.settled();
    task.rollback();
    for (const { topic, offset } of task.committedPositions()) {
      this.consumer?.seek({ topic, partition: task.partition, offset });
    }
  }

  private async abortAll(reason: string): Promise<void> {
    // a transaction under way lands (or fails) first: only what comes after it is dropped
    await Promise.all([...this.tasks.values()].map(async (task) => task.settled()));
    for (const task of this.tasks.values()) {
      if (task.hasProgress()) this.logger.info({ partition: task.partition, reason, records: task.uncommitted() }, 'uncommitted work dropped');
      task.rollback();
    }
  }

  /** Graceful stop: commit what is processed, leave the group, release everything. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
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
    return {
      ready: this.state === 'running' || this.state === 'rebalancing',
      detail: {
        state: this.state,
        failure: this.failure?.message,
        tasks: [...this.tasks.values()].map((task) => ({ partition: task.partition, uncommitted: task.uncommitted(), stores: task.storeSizes() })),
        tables: Object.fromEntries([...this.tables].map(([name, table]) => [name, table.size()])),
      },
    };
  }
}

function isFencing(error: unknown): boolean {
  const text = `${(error as { type?: string }).type ?? ''} ${(error as Error).message ?? ''}`;
  return /FENCED|INVALID_PRODUCER_EPOCH|fenced/i.test(text);
}
