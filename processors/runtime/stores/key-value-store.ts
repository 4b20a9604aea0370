/**
 * In-memory key-value store. Plain Maps: a million keys of a few hundred
 * bytes each fit in a Node heap. Processors only see the KeyValueStore
 * interface, so a disk-backed store can replace this one without touching them.
 */
import { LayeredMap } from './layered-map';
import type { ChangelogEntry, StateStore } from './store';

export interface KeyValueStore<V> extends StateStore<V> {
  get(key: string): V | undefined;
  put(key: string, value: V): void;
  delete(key: string): void;
  entries(): IterableIterator<[string, V]>;
}

export class InMemoryKeyValueStore<V> implements KeyValueStore<V> {
  private readonly map = new LayeredMap<V>();

  constructor(readonly name: string) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  put(key: string, value: V): void {
    this.map.set(key, value);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  size(): number {
    return this.map.size();
  }

  recordChanges(): ChangelogEntry<V>[] {
    return this.map.recordChanges();
  }

  acceptRecord(): void {
    this.map.acceptRecord();
  }

  discardRecord(): void {
    this.map.discardRecord();
  }

  seal(): void {
    this.map.seal();
  }

  commit(): void {
    this.map.commit();
  }

  rollback(): void {
    this.map.rollback();
  }

  restore(key: string, value: V | null): void {
    this.map.restore(key, value);
  }

  clear(): void {
    this.map.clear();
  }
}
