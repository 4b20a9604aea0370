/**
 * Runs one processor over one task's records, in memory: the stores of the
 * task, the forwards and the rejection of the record being processed. No
 * Kafka and no encoding here: the Kafka task and the test driver both build
 * on it, so what a test sees is what runs in production.
 */
import type { Logger } from '../../lib/logger';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { TaggedValue } from '../../lib/serde';
import type { InputRecord, ProcessorContext, ProcessorDefinition, ReadonlyTable, StoreSpec } from './processor';
import { InMemoryKeyValueStore, KeyValueStore } from './stores/key-value-store';
import type { ChangelogEntry, StateStore } from './stores/store';
import { InMemoryWindowStore, WindowStore } from './stores/window-store';

export interface Forward {
  readonly topic: string;
  readonly key: string;
  readonly value: TaggedValue | null;
  readonly headers: Record<string, string>;
}

export interface StoreChanges {
  readonly spec: StoreSpec;
  readonly changes: ChangelogEntry<unknown>[];
}

export interface EarlierRejection {
  readonly source: DeadLetterSource;
  readonly code: string;
  readonly message: string;
}

export type RecordOutcome =
  | { readonly kind: 'accepted'; readonly forwards: Forward[]; readonly stores: StoreChanges[]; readonly earlierRejections: EarlierRejection[] }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string };

/** Processor bug: the error is not the input's fault, but the input is dead-lettered so the partition moves on. */
export const PROCESSOR_ERROR = 'processor-error';

export interface LateRecordListener {
  (detail: Record<string, unknown>): void;
}

export class RecordProcessor<In extends TaggedValue> {
  private readonly stores = new Map<string, { spec: StoreSpec; store: StateStore<unknown> }>();
  private forwards: Forward[] = [];
  private earlierRejections: EarlierRejection[] = [];
  private rejection: { code: string; message: string } | undefined;
  private readonly context: ProcessorContext;

  constructor(
    private readonly definition: ProcessorDefinition<In>,
    tables: ReadonlyMap<string, ReadonlyTable<unknown>>,
    logger: Logger,
    onLate: LateRecordListener,
  ) {
    for (const spec of definition.stores) {
      const store = spec.kind === 'key-value' ? new InMemoryKeyValueStore<unknown>(spec.name) : new InMemoryWindowStore<unknown>(spec.name, spec.retentionMs);
      this.stores.set(spec.name, { spec, store });
    }
    const storeOf = <S>(name: string, kind: StoreSpec['kind']): S => {
      const entry = this.stores.get(name);
      if (!entry || entry.spec.kind !== kind) {
        throw new Error(`processor ${definition.name} has no ${kind} store named "${name}" (declared: ${[...this.stores.keys()].join(', ') || 'none'})`);
      }
      return entry.store as S;
    };
    this.context = {
      forward: (topic, key, value, headers = {}) => {
        this.forwards.push({ topic, key, value, headers });
      },
      keyValueStore: <V>(name: string) => storeOf<KeyValueStore<V>>(name, 'key-value'),
      windowStore: <V>(name: string) => storeOf<WindowStore<V>>(name, 'window'),
      table: <V>(name: string) => {
        const table = tables.get(name);
        if (!table) throw new Error(`processor ${definition.name} has no table named "${name}"`);
        return table as ReadonlyTable<V>;
      },
      reject: (code, message) => {
        this.rejection ??= { code, message };
      },
      rejectEarlier: (source, code, message) => {
        this.earlierRejections.push({ source, code, message });
      },
      lateRecord: onLate,
      logger,
    };
  }

  /** Processes one record; its effects stay pending until accept() or discard(). */
  process(record: InputRecord<In>): RecordOutcome {
    this.forwards = [];
    this.earlierRejections = [];
    this.rejection = undefined;
    try {
      this.definition.process(record, this.context);
    } catch (error) {
      this.discard();
      return { kind: 'rejected', code: PROCESSOR_ERROR, message: error instanceof Error ? error.message : String(error) };
    }
    const rejection = this.rejection as { code: string; message: string } | undefined;
    if (rejection) {
      this.discard();
      return { kind: 'rejected', code: rejection.code, message: rejection.message };
    }
    const stores: StoreChanges[] = [];
    for (const { spec, store } of this.stores.values()) {
      const changes = store.recordChanges();
      if (changes.length > 0) stores.push({ spec, changes });
    }
    return { kind: 'accepted', forwards: this.forwards, stores, earlierRejections: this.earlierRejections };
  }

  /** The record's effects are kept (staged until the transaction commits). */
  accept(): void {
    for (const { store } of this.stores.values()) store.acceptRecord();
  }

  /** The record's effects are dropped. */
  discard(): void {
    for (const { store } of this.stores.values()) store.discardRecord();
    this.forwards = [];
    this.earlierRejections = [];
  }

  /** A transaction starts with the accepted effects so far (see StateStore.seal). */
  seal(): void {
    for (const { store } of this.stores.values()) store.seal();
  }

  commit(): void {
    for (const { store } of this.stores.values()) store.commit();
  }

  rollback(): void {
    for (const { store } of this.stores.values()) store.rollback();
  }

  restore(storeName: string, key: string, value: unknown): void {
    const entry = this.stores.get(storeName);
    if (!entry) throw new Error(`no store named "${storeName}"`);
    entry.store.restore(key, value);
  }

  clear(): void {
    for (const { store } of this.stores.values()) store.clear();
  }

  storeSizes(): Array<{ name: string; size: number }> {
    return [...this.stores.values()].map(({ spec, store }) => ({ name: spec.name, size: store.size() }));
  }

  store(name: string): StateStore<unknown> | undefined {
    return this.stores.get(name)?.store;
  }
}
