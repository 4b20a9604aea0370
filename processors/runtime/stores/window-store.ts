/**
 * In-memory windowed store: values per (key, window start), with stream time
 * (the highest event time seen) driving retention, so expired windows are
 * purged (with tombstones in the changelog) and state does not grow without
 * bound. Built on the key-value store (same stages), with composite changelog keys
 * "<windowStart>:<key>" (the start is numeric, so the first ':' separates).
 */
import { InMemoryKeyValueStore } from './key-value-store';
import type { ChangelogEntry, StateStore } from './store';

export interface WindowStore<V> extends StateStore<V> {
  get(key: string, windowStart: number): V | undefined;
  put(key: string, windowStart: number, value: V): void;
  /** The key's windows whose start lies in [fromStart, toStart], oldest first. */
  fetch(key: string, fromStart: number, toStart: number): Array<{ start: number; value: V }>;
  /** Advances stream time to `timestamp` if later, and purges windows older than retention. */
  observe(timestamp: number): void;
  streamTime(): number;
}

export function windowKey(key: string, windowStart: number): string {
  return `${windowStart}:${key}`;
}

export function parseWindowKey(composite: string): { key: string; start: number } {
  const at = composite.indexOf(':');
  const start = Number(composite.slice(0, at));
  if (at <= 0 || !Number.isSafeInteger(start)) throw new Error(`not a window store key: "${composite}"`);
  return { key: composite.slice(at + 1), start };
}

export class InMemoryWindowStore<V> implements WindowStore<V> {
  private readonly store: InMemoryKeyValueStore<V>;
  /** key → window starts present (committed or staged); rebuilt on rollback. */
  private readonly startsByKey = new Map<string, Set<number>>();
  /** window start → keys: starts are aligned to the advance, so there are few of them. */
  private readonly keysByStart = new Map<number, Set<string>>();
  private time = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    /** Windows whose start is older than streamTime - retentionMs are purged. */
    private readonly retentionMs: number,
  ) {
    this.store = new InMemoryKeyValueStore<V>(name);
  }

  get(key: string, windowStart: number): V | undefined {
    return this.store.get(windowKey(key, windowStart));
  }

  put(key: string, windowStart: number, value: V): void {
    this.store.put(windowKey(key, windowStart), value);
    this.index(key, windowStart);
  }

  fetch(key: string, fromStart: number, toStart: number): Array<{ start: number; value: V }> {
    const starts = [...(this.startsByKey.get(key) ?? [])].filter((s) => s >= fromStart && s <= toStart).sort((a, b) => a - b);
    const found: Array<{ start: number; value: V }> = [];
    for (const start of starts) {
      const value = this.get(key, start);
      if (value !== undefined) found.push({ start, value });
    }
    return found;
  }

  observe(timestamp: number): void {
    if (timestamp <= this.time) return;
    this.time = timestamp;
    const cutoff = this.time - this.retentionMs;
    for (const [start, keys] of this.keysByStart) {
      if (start > cutoff) continue;
      for (const key of keys) {
        this.store.delete(windowKey(key, start));
        this.startsByKey.get(key)?.delete(start);
        if (this.startsByKey.get(key)?.size === 0) this.startsByKey.delete(key);
      }
      this.keysByStart.delete(start);
    }
  }

  streamTime(): number {
    return this.time;
  }

  size(): number {
    return this.store.size();
  }

  recordChanges(): ChangelogEntry<V>[] {
    return this.store.recordChanges();
  }

  acceptRecord(): void {
    this.store.acceptRecord();
  }

  discardRecord(): void {
    this.store.discardRecord();
    this.reindex();
  }

  seal(): void {
    this.store.seal();
  }

  commit(): void {
    this.store.commit();
  }

  rollback(): void {
    this.store.rollback();
    this.reindex();
  }

  restore(composite: string, value: V | null): void {
    this.store.restore(composite, value);
    const { key, start } = parseWindowKey(composite);
    if (value === null) this.unindex(key, start);
    else {
      this.index(key, start);
      // stream time is not in the changelog; the newest window restored is a safe lower bound
      if (start > this.time) this.time = start;
    }
  }

  clear(): void {
    this.store.clear();
    this.startsByKey.clear();
    this.keysByStart.clear();
    this.time = Number.NEGATIVE_INFINITY;
  }

  private index(key: string, start: number): void {
    let starts = this.startsByKey.get(key);
    if (!starts) this.startsByKey.set(key, (starts = new Set()));
    starts.add(start);
    let keys = this.keysByStart.get(start);
    if (!keys) this.keysByStart.set(start, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string, start: number): void {
    this.startsByKey.get(key)?.delete(start);
    if (this.startsByKey.get(key)?.size === 0) this.startsByKey.delete(key);
    this.keysByStart.get(start)?.delete(key);
    if (this.keysByStart.get(start)?.size === 0) this.keysByStart.delete(start);
  }

  private reindex(): void {
    this.startsByKey.clear();
    this.keysByStart.clear();
    for (const [composite] of this.store.entries()) {
      const { key, start } = parseWindowKey(composite);
      this.index(key, start);
    }
  }
}
