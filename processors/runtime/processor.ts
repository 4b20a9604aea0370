/**
 * The Processor API: what a processor declares (inputs, stores, tables,
 * outputs) and the context it processes each record with. A processor's
 * process() is synchronous and does no I/O: it reads and writes its stores,
 * forwards records and may reject the input; the runtime does the Kafka side
 * (decoding, transactions, changelogs, dead letters).
 */
import type { Logger } from '../../lib/logger';
import type { TaggedValue } from '../../lib/serde';
import type { StoreCodec } from '../../lib/streaming/codec';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { KeyValueStore } from './stores/key-value-store';
import type { WindowStore } from './stores/window-store';

interface StoreSpecBase<V> {
  readonly name: string;
  /** Compacted topic the store is restored from; written at the task's partition. */
  readonly changelogTopic: string;
  readonly codec: StoreCodec<V>;
}

export interface KeyValueStoreSpec<V> extends StoreSpecBase<V> {
  readonly kind: 'key-value';
}

export interface WindowStoreSpec<V> extends StoreSpecBase<V> {
  readonly kind: 'window';
  readonly retentionMs: number;
}

export type StoreSpec<V = unknown> = KeyValueStoreSpec<V> | WindowStoreSpec<V>;

/** A compacted topic materialized in full on every instance (like a GlobalKTable), read-only to processors. */
export interface TableSpec<V = unknown> {
  readonly name: string;
  readonly topic: string;
  readonly codec: StoreCodec<V>;
}

export interface ReadonlyTable<V> {
  get(key: string): V | undefined;
  size(): number;
}

export interface InputRecord<In extends TaggedValue> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** null for a tombstone */
  readonly value: In | null;
  /** Kafka record timestamp (ms) */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The record as it arrived (bytes and position): what a dead letter keeps, now or later. */
  readonly source: DeadLetterSource;
}

export interface ProcessorContext {
  /** Sends a record (null value: tombstone) with this input's transaction. */
  forward(topic: string, key: string, value: TaggedValue | null, headers?: Record<string, string>): void;
  keyValueStore<V>(name: string): KeyValueStore<V>;
  windowStore<V>(name: string): WindowStore<V>;
  table<V>(name: string): ReadonlyTable<V>;
  /**
   * The input is invalid: it goes to `<input topic>.dlq` with the reason, and
   * this record's store writes and forwards are dropped.
   */
  reject(code: string, message: string): void;
  /**
   * Dead-letters an earlier input the processor kept in a store (e.g. a
   * payment parked until its order arrived), with this record's transaction.
   */
  rejectEarlier(source: DeadLetterSource, code: string, message: string): void;
  /** An event arrived after its window closed: counted and logged, not silently lost. */
  lateRecord(detail: Record<string, unknown>): void;
  readonly logger: Logger;
}

export interface ProcessorDefinition<In extends TaggedValue> {
  /** Application id: consumer group, transactional id prefix, metric label. */
  readonly name: string;
  /** Co-partitioned input topics (same partition count, same key). */
  readonly inputs: readonly string[];
  /** Topics it forwards to (besides changelogs and dead letters). */
  readonly outputs: readonly string[];
  readonly stores: readonly StoreSpec[];
  readonly tables: readonly TableSpec[];
  process(record: InputRecord<In>, context: ProcessorContext): void;
}
