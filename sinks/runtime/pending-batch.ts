/**
 * What the engine has consumed and not yet committed: decoded records for
 * the writer, dead letters to produce, and per partition the offset to
 * commit once both are done. Pure bookkeeping, no I/O.
 *
 * A batch goes through two stages before its commit, and remembers which
 * ones are done, so a retry after a failed dead-letter send or commit does
 * not write to the store again (it would be harmless, only wasted work).
 */
import type { TaggedValue } from '../../lib/serde';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { RecordRejection, SinkRecord } from './sink-writer';

export interface PendingDeadLetter {
  readonly source: DeadLetterSource;
  readonly code: string;
  readonly message: string;
}

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read: what the group commits. */
  readonly offset: string;
}

export class PendingBatch<V extends TaggedValue = TaggedValue> {
  readonly records: SinkRecord<V>[] = [];
  readonly deadLetters: PendingDeadLetter[] = [];
  /** `topic` → partition → next offset */
  private readonly offsets = new Map<string, Map<number, bigint>>();
  private readonly rejected = new Set<SinkRecord<TaggedValue>>();
  private startedAt: number | undefined;
  /** The store acknowledged `records` (minus the rejected ones, now in deadLetters). */
  written = false;
  /** deadLetters were produced. */
  deadLettersSent = false;

  /** A decoded record. Its partition's commit position is moved with advance(), once per run of records. */
  addRecord(record: SinkRecord<V>, now = Date.now()): void {
    this.assertOpen();
    this.records.push(record);
    this.startedAt ??= now;
  }

  addDeadLetter(deadLetter: PendingDeadLetter, now = Date.now()): void {
    this.assertOpen();
    this.deadLetters.push(deadLetter);
    this.startedAt ??= now;
  }

  /** Moves a partition's commit position forward (never back), e.g. past a batch of transaction markers only. */
  advance(topic: string, partition: number, nextOffset: string, now = Date.now()): void {
    const next = BigInt(nextOffset);
    let byPartition = this.offsets.get(topic);
    if (!byPartition) this.offsets.set(topic, (byPartition = new Map()));
    const current = byPartition.get(partition);
    if (current === undefined || next > current) byPartition.set(partition, next);
    this.startedAt ??= now;
  }

  /** The writer's rejections become dead letters; a rejection of a record not in this batch is a writer bug. */
  addRejections(rejections: readonly RecordRejection[]): void {
    if (rejections.length === 0) return;
    const inBatch = new Set<SinkRecord<TaggedValue>>(this.records);
    for (const { record, code, message } of rejections) {
      if (!inBatch.has(record)) {
        throw new Error(
          `the writer rejected a record that is not in the batch it was given (${record.topic}/${record.partition}@${record.offset}); rejections must return the very record objects passed to write()`,
        );
      }
      this.rejected.add(record);
      this.deadLetters.push({ source: record.source, code, message });
    }
  }

  /** Records and dead letters: what counts towards the batch size. */
  size(): number {
    return this.records.length + this.deadLetters.length;
  }

  /** Nothing to write and no position to commit. */
  isEmpty(): boolean {
    return this.offsets.size === 0 && this.records.length === 0 && this.deadLetters.length === 0;
  }

  ageMs(now = Date.now()): number {
    return this.startedAt === undefined ? 0 : now - this.startedAt;
  }

  /** The positions to commit, optionally only for partitions `keep` accepts (those still assigned). */
  commitOffsets(keep: (topic: string, partition: number) => boolean = () => true): PartitionOffset[] {
    const out: PartitionOffset[] = [];
    for (const [topic, byPartition] of this.offsets) {
      for (const [partition, offset] of byPartition) if (keep(topic, partition)) out.push({ topic, partition, offset: offset.toString() });
    }
    return out;
  }

  /** Records the store accepted (not rejected), per topic, for metrics. */
  writtenByTopic(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const record of this.records) {
      if (this.rejected.has(record)) continue;
      counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
    }
    return counts;
  }

  private assertOpen(): void {
    if (this.written) throw new Error('PendingBatch: records added after the batch was written; start a new batch');
  }
}
