/**
 * Reading partitions up to the end offsets taken at the start: which ones
 * are still short of their end. Restores and table loads both wait on it.
 */
import type { Consumer } from 'kafkajs';

export interface PartitionRange {
  readonly partition: number;
  /** First offset in the log. */
  readonly low: string;
  /** Offset after the last record (exclusive). */
  readonly high: string;
}

export class EndTracker {
  private readonly remaining = new Map<number, number>();

  /** Empty partitions (low = high) count as read already. */
  constructor(ranges: Iterable<PartitionRange>) {
    for (const { partition, low, high } of ranges) if (Number(high) > Number(low)) this.remaining.set(partition, Number(high));
  }

  get done(): boolean {
    return this.remaining.size === 0;
  }

  isReading(partition: number): boolean {
    return this.remaining.has(partition);
  }

  /** The end (exclusive) of a partition still being read. */
  endOf(partition: number): number | undefined {
    return this.remaining.get(partition);
  }

  /** Records progress; true when this call took the partition to its end. */
  reached(partition: number, lastOffset: string): boolean {
    const end = this.remaining.get(partition);
    if (end === undefined || Number(lastOffset) + 1 < end) return false;
    this.remaining.delete(partition);
    return true;
  }
}

/**
 * A transactional topic holds commit markers, and kafkajs filters a fetched
 * batch made only of markers (or of aborted records) without calling
 * eachBatch: such a batch only shows in END_BATCH_PROCESS, with batchSize 0.
 * The handler hears of those batches, so readers can move past them.
 */
export function onMarkerOnlyBatches(consumer: Consumer, handler: (topic: string, partition: number, lastOffset: string) => void): void {
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize === 0) handler(payload.topic, payload.partition, payload.lastOffset);
  });
}
