/**
 * End-to-end latency bookkeeping of the latency benchmark, without I/O:
 * each tracked order event is noted with its order id, aggregate version and
 * the time it was handed to the publisher; each poll of Redis reports the
 * version an order's hash shows. An event is visible once its order shows
 * its version or a later one (the sink is version-gated, so a later version
 * means this event was applied too); its latency is the poll's time minus
 * its publish time, an upper bound that is at most one poll cycle late.
 */

interface PendingEvent {
  readonly version: number;
  readonly publishedAt: number;
}

export class VisibilityTracker {
  /** orderId → its events not yet seen in Redis, in version order. */
  private readonly pending = new Map<string, PendingEvent[]>();
  private readonly latencies: number[] = [];
  private waiting = 0;

  /** An order event handed to the publisher at `publishedAt` (ms, any monotonic clock shared with `observed`). */
  published(orderId: string, version: number, publishedAt: number): void {
    let events = this.pending.get(orderId);
    if (events === undefined) {
      events = [];
      this.pending.set(orderId, events);
    }
    events.push({ version, publishedAt });
    this.waiting += 1;
  }

  /** Orders with an event not yet seen: what the next poll asks Redis about. */
  pendingOrders(): string[] {
    return [...this.pending.keys()];
  }

  /** Events published and not yet seen. */
  get pendingEvents(): number {
    return this.waiting;
  }

  /** A poll found the order's hash at `version` (undefined: no hash yet) at time `at`. */
  observed(orderId: string, version: number | undefined, at: number): void {
    const events = this.pending.get(orderId);
    if (events === undefined || version === undefined) return;
    let seen = 0;
    while (seen < events.length && events[seen]!.version <= version) {
      this.latencies.push(at - events[seen]!.publishedAt);
      seen += 1;
    }
    if (seen === 0) return;
    this.waiting -= seen;
    if (seen === events.length) this.pending.delete(orderId);
    else events.splice(0, seen);
  }

  /** Latencies (ms) of the events seen so far. */
  measured(): readonly number[] {
    return this.latencies;
  }
}
