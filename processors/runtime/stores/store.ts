/**
 * What every state store shares. A store belongs to one task (one input
 * partition) and is backed by a compacted changelog topic. Writes go through
 * two stages so that nothing half-done survives:
 *
 *   record   the writes of the record being processed: kept when the record
 *            is accepted, dropped when it is dead-lettered or the processor
 *            throws, so a bad record never leaves partial state;
 *   staged   accepted writes not yet committed: they become committed state
 *            when the task's Kafka transaction commits, and are dropped when
 *            it aborts, so the store always equals what its changelog holds.
 */

/** A change to publish to the changelog: a value, or null for a deletion (tombstone). */
export interface ChangelogEntry<V> {
  readonly key: string;
  readonly value: V | null;
}

export interface StateStore<V> {
  readonly name: string;
  /** Number of live keys (committed, staged and the current record's). */
  size(): number;
  /** The current record's writes (last per key), for its changelog records. */
  recordChanges(): ChangelogEntry<V>[];
  /** The current record was accepted: its writes are staged. */
  acceptRecord(): void;
  /** The current record was rejected: its writes are dropped. */
  discardRecord(): void;
  /** The transaction committed: staged writes become committed state. */
  commit(): void;
  /** The transaction aborted: staged writes are dropped. */
  rollback(): void;
  /** Applies a record read from the changelog while restoring. */
  restore(changelogKey: string, value: V | null): void;
  /** Forgets everything (the task was revoked). */
  clear(): void;
}
