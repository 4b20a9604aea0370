/**
 * Reads partitions from their beginning up to their end at the time of the
 * call (read_committed, so the end is the last stable offset), batch by
 * batch. Restores and table catch-ups use it.
 *
 * kafkajs has no manual partition assignment (no assign()), so a
 * PartitionReader is one consumer alone in a group of its own: it is given
 * every partition of its topics, keeps them all paused, and reads one by
 * seeking it to its start and resuming it until its end, as Kafka Streams'
 * restore consumer does. One reader serves every restore of an application
 * instance, so the group join is paid once, not once per task and store.
 */
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka, KafkaJSError, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../lib/logger';
import { EndTracker, onMarkerOnlyBatches } from './end-tracker';

export interface ReadProgress {
  readonly partition: number;
  readonly read: number;
  readonly total: number;
}

export interface PartitionHandlers {
  /** Stop before these offsets (exclusive) where they come before the log end, e.g. from offsets-for-times. */
  readonly endOffsets?: ReadonlyMap<number, number>;
  onBatch(partition: number, messages: KafkaMessage[]): Promise<void> | void;
  onProgress?(progress: ReadProgress): void;
  /** Called while a long read runs, so an outer consumer can heartbeat. */
  keepAlive?(): Promise<void>;
}

export interface PartitionReaderOptions {
  readonly kafka: Kafka;
  /** Every topic this reader may be asked to read. */
  readonly topics: readonly string[];
  readonly groupPrefix: string;
  readonly logger: Logger;
}

/** One partition being read. */
interface ActiveRead {
  readonly tracker: EndTracker;
  readonly low: number;
  readonly handlers: PartitionHandlers;
  read: number;
  resolve(records: number): void;
  reject(error: unknown): void;
}

/** Retries of a retriable offsets lookup (about 4.5 s in all). */
const OFFSET_ATTEMPTS = 10;

const readKey = (topic: string, partition: number) => `${partition}:${topic}`;

export class PartitionReader {
  private readonly groupId: string;
  private readonly logger: Logger;
  private readonly active = new Map<string, ActiveRead>();
  private readonly admin: Admin;
  private started: Promise<Consumer> | undefined;
  private adminConnected: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PartitionReaderOptions) {
    this.groupId = `${options.groupPrefix}-reader-${randomUUID()}`;
    this.logger = options.logger.child({ reader: this.groupId });
    this.admin = options.kafka.admin();
  }

  /** Reads one partition from its first offset to its end; returns the number of records read. */
  async read(topic: string, partition: number, handlers: PartitionHandlers): Promise<number> {
    if (!this.options.topics.includes(topic)) throw new Error(`partition reader ${this.groupId} does not read ${topic} (it reads ${this.options.topics.join(', ')})`);
    const key = readKey(topic, partition);
    if (this.active.has(key)) throw new Error(`${topic}[${partition}] is already being read`);
    const found = (await this.offsets(topic)).find((o) => o.partition === partition);
    if (!found) throw new Error(`${topic} has no partition ${partition}`);
    const bound = handlers.endOffsets?.get(partition);
    const range = bound === undefined || bound >= Number(found.high) ? found : { ...found, high: String(Math.max(bound, Number(found.low))) };
    const tracker = new EndTracker([range]);
    if (tracker.done) return 0; // an empty changelog costs no group join
    const consumer = await this.start();
    return new Promise<number>((resolve, reject) => {
      this.active.set(key, { tracker, low: Number(range.low), handlers, read: 0, resolve, reject });
      consumer.seek({ topic, partition, offset: range.low });
      consumer.resume([{ topic, partitions: [partition] }]);
    });
  }

  /** Reads every partition of a topic (or the given ones), all at once. */
  async readAll(topic: string, handlers: PartitionHandlers, partitions?: readonly number[]): Promise<number> {
    const wanted = partitions ?? (await this.offsets(topic)).map((o) => o.partition);
    const counts = await Promise.all(wanted.map((partition) => this.read(topic, partition, handlers)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const read of this.active.values()) read.reject(new Error(`partition reader ${this.groupId} closed during a read`));
    this.active.clear();
    if (this.started) {
      await this.started.then((consumer) => consumer.disconnect()).catch(() => undefined);
      try {
        await this.admin.deleteGroups([this.groupId]);
      } catch (error) {
        // a leftover empty group is harmless; the broker expires it
        this.logger.debug({ err: error }, 'could not delete the reader group');
      }
    }
    if (this.adminConnected) await this.admin.disconnect();
  }

  /** First and end offsets of every partition of a topic. */
  private async offsets(topic: string): Promise<Array<{ partition: number; low: string; high: string }>> {
    if (this.closed) throw new Error(`partition reader ${this.groupId} is closed`);
    this.adminConnected ??= this.admin.connect();
    await this.adminConnected;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.admin.fetchTopicOffsets(topic);
      } catch (error) {
        // a partition without a leader for now (a new topic, a broker restarting) is worth another look
        if (!(error instanceof KafkaJSError && error.retriable) || attempt >= OFFSET_ATTEMPTS) throw error;
        this.logger.debug({ topic, attempt, err: error }, 'offsets not readable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private start(): Promise<Consumer> {
    if (this.closed) return Promise.reject(new Error(`partition reader ${this.groupId} is closed`));
    if (!this.started) {
      const started = this.connect();
      this.started = started;
      // a failed start is tried again by the next read
      started.catch(() => {
        if (this.started === started) this.started = undefined;
      });
    }
    return this.started;
  }

  private async connect(): Promise<Consumer> {
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      maxBytesPerPartition: 16 * 1024 * 1024,
      maxBytes: 64 * 1024 * 1024,
      // also how long an idle reader (every partition paused) sleeps between looks: a read starts within it
      maxWaitTimeInMs: 10,
      readUncommitted: false,
    });
    // Emitted inside the join, before the first fetch: only partitions being read may be fetched.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        const idle = partitions.filter((p) => !this.active.has(readKey(topic, p)));
        if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
      }
    });
    // kafkajs restarts a consumer after a retriable crash (reads in progress start again from their
    // first offset: a restore applied twice ends the same); after any other, the next read starts a new one
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      for (const read of this.active.values()) read.reject(payload.error);
      this.active.clear();
      this.started = undefined;
      void consumer.disconnect().catch(() => undefined);
    });
    onMarkerOnlyBatches(consumer, (topic, partition, lastOffset) => {
      const read = this.active.get(readKey(topic, partition));
      if (read?.tracker.reached(partition, lastOffset)) this.finish(consumer, topic, partition, read);
    });
    try {
      await consumer.connect();
      for (const topic of this.options.topics) await consumer.subscribe({ topic, fromBeginning: true });
      await this.run(consumer);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return consumer;
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const { topic, partition } = batch;
        const read = this.active.get(readKey(topic, partition));
        if (!read) return consumer.pause([{ topic, partitions: [partition] }]);
        try {
          await this.take(read, partition, batch.messages, batch.lastOffset());
        } catch (error) {
          this.active.delete(readKey(topic, partition));
          consumer.pause([{ topic, partitions: [partition] }]);
          read.reject(error);
          return;
        }
        if (read.tracker.reached(partition, batch.lastOffset())) this.finish(consumer, topic, partition, read);
      },
    });
  }

  private async take(read: ActiveRead, partition: number, messages: KafkaMessage[], lastOffset: string): Promise<void> {
    const end = read.tracker.endOf(partition);
    if (end === undefined) return;
    const wanted = Number(lastOffset) < end ? messages : messages.filter((m) => Number(m.offset) < end);
    if (wanted.length > 0) await read.handlers.onBatch(partition, wanted);
    read.read += wanted.length;
    read.handlers.onProgress?.({ partition, read: read.read, total: end - read.low });
    await read.handlers.keepAlive?.();
  }

  private finish(consumer: Consumer, topic: string, partition: number, read: ActiveRead): void {
    this.active.delete(readKey(topic, partition));
    consumer.pause([{ topic, partitions: [partition] }]);
    read.resolve(read.read);
  }
}

/** One-off read of a topic's partitions (tests, tools): a reader of its own, closed afterwards. */
export async function readPartitionsToEnd(options: Omit<PartitionReaderOptions, 'topics'> & PartitionHandlers & { readonly topic: string; readonly partitions?: readonly number[] }): Promise<number> {
  const reader = new PartitionReader({ ...options, topics: [options.topic] });
  try {
    return await reader.readAll(options.topic, options, options.partitions);
  } finally {
    await reader.close();
  }
}
