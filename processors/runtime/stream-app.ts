/**
 * The streaming engine of one processor instance: a consumer group over the
 * processor's inputs, one StreamTask per assigned partition number, commits
 * on an interval and a size bound, aborts on rebalance, graceful stop.
 *
 * Processing, commits and aborts run one at a time (a single lock), which is
 * what kafkajs' one-batch-at-a-time consumption gives anyway, and what keeps
 * a commit from racing a rebalance.
 */
import { Admin, Batch, Consumer, Kafka, KafkaJSError } from 'kafkajs';
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
  /** Commit at least this often while there is progress (Kafka Streams uses 100 ms under exactly-once). */
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
  private readonly tables = new Map<string, GlobalTable<unknown>>();
  private consumer: Consumer | undefined;
  /** Restores every task's stores: one consumer for the instance, not one per task and store. */
  private changelogReader: PartitionReader | undefined;
  /** Reads committed positions when a task starts. */
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: State = 'created';
  private failure: Error | undefined;
  private readonly commitIntervalMs: number;
  private readonly maxUncommitted: number;

  constructor(private readonly options: StreamAppOptions<In>) {
    this.definition = options.definition;
    this.logger = options.logger.child({ processor: options.definition.name });
    this.metrics = options.metrics ?? new ProcessorMetrics(options.definition.name);
    this.commitIntervalMs = options.commitIntervalMs ?? 100;
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
      void this.lock.run(async () => this.abortAll('rebalance'));
    });
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = new Set<number>();
      for (const partitions of Object.values(payload.memberAssignment)) for (const p of partitions) assigned.add(p);
      void this.lock.run(async () => {
        for (const [partition, task] of this.tasks) {
          if (assigned.has(partition)) continue;
          this.tasks.delete(partition);
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
    this.timer = setInterval(() => void this.lock.run(() => this.commitDue()), Math.max(10, Math.floor(this.commitIntervalMs / 2)));
    this.timer.unref();
  }

  private async handleBatch(batch: Batch, resolveOffset: (offset: string) => void, heartbeat: () => Promise<void>): Promise<void> {
    if (!this.tasks.has(batch.partition)) {
      // The group handed out positions before this task fenced the previous owner,
      // whose last commit may have completed since (kafkajs has no KIP-447
      // require_stable). Read them again now and start there; this batch is dropped.
      const task = await this.taskFor(batch.partition, heartbeat);
      const positions = await this.committedPositions(batch.partition);
      task.startAt(positions);
      for (const [topic, offset] of positions) this.consumer?.seek({ topic, partition: batch.partition, offset });
      return;
    }
    const task = await this.taskFor(batch.partition, heartbeat);
    const timer = this.metrics.batchLatency.startTimer();
    try {
      await task.processBatch(batch, resolveOffset, heartbeat);
    } catch (error) {
      this.logger.error({ err: error, topic: batch.topic, partition: batch.partition }, 'batch failed; rolling back to the last commit');
      this.rewind(task);
      // kafkajs errors (a rebalance, a broker going away) are kafkajs's to handle
      if (error instanceof KafkaJSError) throw error;
      // anything else is transient (e.g. the registry is unreachable): retry from the last commit after a pause
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      return;
    } finally {
      timer();
    }
    if (task.uncommitted() >= this.maxUncommitted || task.sinceLastCommitMs() >= this.commitIntervalMs) await this.commitDue(task);
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
   * Commits every task whose interval has passed (and `task`, whatever its
   * interval): each has its own producer, so their transactions run side by
   * side and the broker round trips overlap.
   */
  private async commitDue(task?: StreamTask<In>): Promise<void> {
    const running = this.state === 'running';
    const due = [...this.tasks.values()].filter((t) => t === task || (running && t.hasProgress() && t.sinceLastCommitMs() >= this.commitIntervalMs));
    await Promise.all(due.map(async (t) => this.commitTask(t)));
  }

  private async commitTask(task: StreamTask<In>): Promise<void> {
    try {
      await task.commit(this.groupId);
    } catch (error) {
      const fenced = isFencing(error);
      this.logger.warn({ err: error, partition: task.partition, fenced }, fenced ? 'task fenced by a newer owner; releasing it' : 'commit failed; rolled back to the last commit');
      this.rewind(task);
      if (fenced) {
        this.tasks.delete(task.partition);
        await task.close().catch(() => undefined);
      }
    }
  }

  /** The task rolled back: the consumer must read again from the committed positions. */
  private rewind(task: StreamTask<In>): void {
    task.rollback();
    for (const { topic, offset } of task.committedPositions()) {
      this.consumer?.seek({ topic, partition: task.partition, offset });
    }
  }

  private async abortAll(reason: string): Promise<void> {
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
    if (this.timer) clearInterval(this.timer);
    await this.lock.run(async () => {
      if (!wasRunning) return this.abortAll('stop');
      await Promise.all([...this.tasks.values()].map(async (task) => this.commitTask(task)));
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
