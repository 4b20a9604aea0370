/**
 * A SinkRecord over a fetched record (lib/kafka/partition-fetcher.ts). The
 * sink engine makes one per consumed record, so whatever a writer rarely
 * needs (the key as text aside, the dead-letter source) is computed on first
 * use instead of for every record: at a few hundred thousand records a
 * second, allocation is the sink's main cost after decoding.
 */
import type { FetchedRecord as KafkaRecord } from '../../lib/kafka/partition-fetcher';
import type { TaggedValue } from '../../lib/serde';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { SinkRecord } from './sink-writer';

export class FetchedRecord<V extends TaggedValue> implements SinkRecord<V> {
  readonly key: string | null;
  private cachedSource: DeadLetterSource | undefined;

  constructor(
    readonly topic: string,
    readonly catalogTopic: string,
    readonly partition: number,
    private readonly record: KafkaRecord,
    readonly value: V | null,
  ) {
    this.key = record.key === null ? null : record.key.toString('utf8');
  }

  get offset(): string {
    return this.record.offset;
  }

  get timestamp(): number {
    return this.record.timestamp;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.record.headers;
  }

  get source(): DeadLetterSource {
    this.cachedSource ??= sourceOf(this.topic, this.partition, this.record);
    return this.cachedSource;
  }
}

/** The record as it arrived: what a dead letter keeps (original bytes, headers, position). */
export function sourceOf(topic: string, partition: number, record: KafkaRecord): DeadLetterSource {
  return { topic, partition, offset: record.offset, key: record.key, value: record.value, headers: record.headers };
}
