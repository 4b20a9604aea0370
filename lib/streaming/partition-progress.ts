/**
 * Whether a consumer is making progress, partition by partition: what
 * /health reports. A partition is stalled when it has lag (the end seen in
 * its last fetch is past its committed offset) and its committed offset has
 * not moved for longer than the bound; the consumer is out of contact when
 * no fetch or heartbeat reached the broker for that long. Either makes the
 * service not ready: "running" says nothing while a producer is stuck or
 * the broker hangs.
 *
 * Pure bookkeeping (no I/O); the clock is injectable for tests.
 */

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface StalledPartition extends PartitionRef {
  /** End offset seen last minus the committed offset. */
  readonly lag: number;
  /** Since the committed offset last moved (or the partition was assigned). */
  readonly sinceCommitMs: number;
  readonly reason: string;
}

export interface ProgressReport {
  readonly ready: boolean;
  /** Why not, in words; undefined when ready. */
  readonly reason: string | undefined;
  readonly stalled: readonly StalledPartition[];
  /** Since the consumer last reached the broker (a fetch or a heartbeat); undefined before the first. */
  readonly sinceContactMs: number | undefined;
}

interface Entry {
  committed: bigint | undefined;
  end: bigint | undefined;
  movedAt: number;
  /** What the owner says the partition is doing when it is not consuming (restoring, rebuilding). */
  note: string | undefined;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class PartitionProgress {
  private readonly entries = new Map<string, Entry & PartitionRef>();
  private lastContact: number | undefined;
  private readonly createdAt: number;

  constructor(
    private readonly stallMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.createdAt = now();
  }

  /** The partitions now assigned: new ones start their clock now, revoked ones are forgotten. */
  assign(partitions: Iterable<PartitionRef>): void {
    const keep = new Set<string>();
    for (const { topic, partition } of partitions) {
      const key = keyOf(topic, partition);
      keep.add(key);
      if (!this.entries.has(key)) this.entries.set(key, { topic, partition, committed: undefined, end: undefined, movedAt: this.now(), note: undefined });
    }
    for (const key of this.entries.keys()) if (!keep.has(key)) this.entries.delete(key);
  }

  /** The log end (high watermark) a fetch saw. */
  observedEnd(topic: string, partition: number, end: string | number | bigint): void {
    const entry = this.entries.get(keyOf(topic, partition));
    if (entry !== undefined) entry.end = BigInt(end);
  }

  /** The group's committed offset of the partition, after a commit or as read on (re)start (the owner must say it before lag counts). A move restarts its clock. */
  committed(topic: string, partition: number, offset: string | number | bigint): void {
    const entry = this.entries.get(keyOf(topic, partition));
    if (entry === undefined) return;
    const next = BigInt(offset);
    if (entry.committed !== next) entry.movedAt = this.now();
    entry.committed = next;
  }

  /** Where consumption of the partition started, when no commit said it yet: lag counts from there, the clock is not restarted. */
  position(topic: string, partition: number, offset: string | number | bigint): void {
    const entry = this.entries.get(keyOf(topic, partition));
    if (entry !== undefined && entry.committed === undefined) entry.committed = BigInt(offset);
  }

  /** What a partition is doing instead of consuming (undefined: consuming), shown with a stall. */
  note(topic: string, partition: number, note: string | undefined): void {
    const entry = this.entries.get(keyOf(topic, partition));
    if (entry !== undefined) entry.note = note;
  }

  /** A fetch or heartbeat answered. */
  contact(): void {
    this.lastContact = this.now();
  }

  /** Seconds since each partition's committed offset moved: the metric beside /health. */
  sinceCommitSeconds(): Array<PartitionRef & { readonly seconds: number }> {
    const now = this.now();
    return [...this.entries.values()].map(({ topic, partition, movedAt }) => ({ topic, partition, seconds: (now - movedAt) / 1000 }));
  }

  report(): ProgressReport {
    const now = this.now();
    const stalled: StalledPartition[] = [];
    for (const { topic, partition, committed, end, movedAt, note } of this.entries.values()) {
      const sinceCommitMs = now - movedAt;
      if (sinceCommitMs <= this.stallMs) continue;
      // a partition nothing was fetched from yet has no known end: the contact check covers a silent consumer
      if (end === undefined || committed === undefined || end <= committed) continue;
      const lag = Number(end - committed);
      stalled.push({
        topic,
        partition,
        lag,
        sinceCommitMs,
        reason: `${lag} record(s) behind, nothing committed for ${Math.round(sinceCommitMs / 1000)} s${note ? ` (${note})` : ''}`,
      });
    }
    const sinceContactMs = this.lastContact === undefined ? undefined : now - this.lastContact;
    const silentMs = sinceContactMs ?? now - this.createdAt;
    const outOfContact = silentMs > this.stallMs;
    const reasons: string[] = [];
    if (outOfContact) reasons.push(`no fetch or heartbeat reached the broker for ${Math.round(silentMs / 1000)} s`);
    if (stalled.length > 0)
      reasons.push(
        `${stalled.length} partition(s) with lag made no progress for over ${Math.round(this.stallMs / 1000)} s: ${stalled.map((s) => `${s.topic}[${s.partition}]`).join(', ')}`,
      );
    return { ready: reasons.length === 0, reason: reasons.length === 0 ? undefined : reasons.join('; '), stalled, sinceContactMs };
  }
}
