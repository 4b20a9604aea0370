/**
 * Reads partitions from their log start up to their end at the time of the
 * call (read_committed: the last stable offset), batch by batch, without a
 * consumer group: restores of state stores use it. One reader serves every
 * read of an instance; reads of different partitions run together in the
 * same fetch requests.
 */
import type { Consumer } from '@platformatic/kafka';
import type { Logger } from '../logger';
import { partitionBounds, type PartitionBounds } from './partition-bounds';
import { PartitionFetcher, type FetchedBatch, type FetchedRecord } from './partition-fetcher';

export interface RangeProgress {
  readonly read: number;
  readonly total: number;
}

export interface RangeHandlers {
  onRecords(records: readonly FetchedRecord[]): Promise<void> | void;
  onProgress?(progress: RangeProgress): void;
}

interface ActiveRead {
  readonly start: bigint;
  readonly end: bigint;
  readonly handlers: RangeHandlers;
  read: number;
  resolve(records: number): void;
  reject(error: unknown): void;
}

const readKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class PartitionRangeReader {
  private readonly fetcher: PartitionFetcher;
  private readonly active = new Map<string, ActiveRead>();

  /** `maxBytesPerPartition` bounds each fetch response's data per partition (the broker still sends at least one batch). */
  constructor(
    private readonly consumer: Consumer,
    logger: Logger,
    maxBytesPerPartition?: number,
  ) {
    this.fetcher = new PartitionFetcher({
      consumer,
      logger,
      onBatch: (batch) => this.onBatch(batch),
      ...(maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition }),
    });
  }

  /** The partition's log start and last stable offset now. */
  async bounds(topic: string, partition: number): Promise<PartitionBounds> {
    return (await partitionBounds(this.consumer, topic, [partition])).get(partition)!;
  }

  /**
   * Reads the partition from its log start to its end now, or only up to
   * `until` (exclusive) where that comes first; resolves with the number of
   * records read.
   */
  async read(topic: string, partition: number, handlers: RangeHandlers, until?: bigint): Promise<number> {
    const key = readKey(topic, partition);
    if (this.active.has(key)) throw new Error(`${topic}[${partition}] is already being read`);
    const bounds = await this.bounds(topic, partition);
    const { start } = bounds;
    const end = until !== undefined && until < bounds.end ? until : bounds.end;
    if (end <= start) return 0;
    return new Promise<number>((resolve, reject) => {
      this.active.set(key, { start, end, handlers, read: 0, resolve, reject });
      this.fetcher.assign(topic, partition, start);
      this.fetcher.start();
    });
  }

  private async onBatch(batch: FetchedBatch): Promise<void> {
    const key = readKey(batch.topic, batch.partition);
    const read = this.active.get(key);
    if (read === undefined) return;
    try {
      const records = batch.records.filter((r) => BigInt(r.offset) < read.end);
      if (records.length > 0) await read.handlers.onRecords(records);
      read.read += records.length;
      const next = BigInt(batch.nextOffset);
      read.handlers.onProgress?.({ read: Number((next < read.end ? next : read.end) - read.start), total: Number(read.end - read.start) });
      if (next < read.end) return;
    } catch (error) {
      this.finish(batch.topic, batch.partition);
      read.reject(error);
      return;
    }
    this.finish(batch.topic, batch.partition);
    read.resolve(read.read);
  }

  private finish(topic: string, partition: number): void {
    this.active.delete(readKey(topic, partition));
    this.fetcher.release(topic, partition);
  }

  async close(): Promise<void> {
    for (const [key, read] of this.active) {
      read.reject(new Error(`the reader closed while ${key.replace('\u0000', '[')}] was read`));
    }
    this.active.clear();
    this.fetcher.releaseAll();
    await this.fetcher.stop();
  }
}
