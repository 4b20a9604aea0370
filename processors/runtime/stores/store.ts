/**
 * What every state store shares. A store belongs to one task (one input
 * partition) and is backed by a compacted changelog topic. Writes go through
 * three stages so that nothing half-done survives:
 *
 *   record   the writes of the record being processed: kept when the record
 *            is accepted, dropped when it is dead-lettered or the processor
 *            throws, so a bad record never leaves partial state;
 *   staged   accepted writes not yet in a transaction;
 *   sealed   the staged writes of the transaction being committed (sealed
 *            when it starts, so processing can go on into a new staged
 *            stage meanwhile): they become committed state when the
 *            transaction commits. A rollback drops sealed and staged writes
 *            alike, so the store always equals what its changelog holds.
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
  /** A transaction starts: the staged writes are its own now; later writes stage apart. At most one is sealed at a time. */
  seal(): void;
  /** The sealed transaction committed: its writes become committed state. */
  commit(): void;
  /** The transaction aborted: sealed and staged writes are dropped. */
  rollback(): void;
  /** Applies a record read from the changelog while restoring. */
  restore(changelogKey: string, value: V | null): void;
  /** Forgets everything (the task was revoked). */
  clear(): void;
}
