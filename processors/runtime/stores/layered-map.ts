/**
 * Four layers of a key → value map (committed ← sealed ← staged ← record),
 * where a layer can also hold a deletion. Reads see the top-most layer
 * holding the key. The sealed layer holds the writes of the transaction
 * being committed while processing goes on into the staged layer. This is
 * the storage under both in-memory stores.
 */
import type { ChangelogEntry } from './store';

const DELETED = Symbol('deleted');
type Slot<V> = V | typeof DELETED;

export class LayeredMap<V> {
  private readonly committed = new Map<string, V>();
  private sealed = new Map<string, Slot<V>>();
  private staged = new Map<string, Slot<V>>();
  private readonly record = new Map<string, Slot<V>>();

  get(key: string): V | undefined {
    // one lookup per layer (values are never undefined: they could not reach a changelog)
    let slot = this.record.get(key);
    if (slot === undefined) slot = this.staged.get(key);
    if (slot === undefined && this.sealed.size > 0) slot = this.sealed.get(key);
    if (slot === undefined) slot = this.committed.get(key);
    return slot === DELETED ? undefined : slot;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): void {
    this.record.set(key, value);
  }

  delete(key: string): void {
    this.record.set(key, DELETED);
  }

  size(): number {
    let size = this.committed.size;
    const seen = new Set<string>();
    for (const layer of [this.record, this.staged, this.sealed]) {
      for (const [key, slot] of layer) {
        if (seen.has(key)) continue;
        seen.add(key);
        const before = this.committed.has(key);
        if (slot === DELETED && before) size -= 1;
        else if (slot !== DELETED && !before) size += 1;
      }
    }
    return size;
  }

  *entries(): IterableIterator<[string, V]> {
    const seen = new Set<string>();
    for (const layer of [this.record, this.staged, this.sealed]) {
      for (const [key, slot] of layer) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (slot !== DELETED) yield [key, slot];
      }
    }
    for (const entry of this.committed) if (!seen.has(entry[0])) yield entry;
  }

  recordChanges(): ChangelogEntry<V>[] {
    return [...this.record].map(([key, slot]) => ({ key, value: slot === DELETED ? null : slot }));
  }

  acceptRecord(): void {
    for (const [key, slot] of this.record) this.staged.set(key, slot);
    this.record.clear();
  }

  discardRecord(): void {
    this.record.clear();
  }

  seal(): void {
    if (this.sealed.size > 0) throw new Error('a sealed transaction is still open: commit or roll it back first');
    const empty = this.sealed;
    this.sealed = this.staged;
    this.staged = empty;
  }

  commit(): void {
    for (const [key, slot] of this.sealed) {
      if (slot === DELETED) this.committed.delete(key);
      else this.committed.set(key, slot);
    }
    this.sealed.clear();
  }

  rollback(): void {
    this.record.clear();
    this.staged.clear();
    this.sealed.clear();
  }

  restore(key: string, value: V | null): void {
    if (value === null) this.committed.delete(key);
    else this.committed.set(key, value);
  }

  clear(): void {
    this.committed.clear();
    this.sealed.clear();
    this.staged.clear();
    this.record.clear();
  }
}
