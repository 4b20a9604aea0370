/**
 * Notices a kafkajs consumer that left its group without knowing it.
 *
 * kafkajs 2.2 answers a heartbeat refused with UNKNOWN_MEMBER_ID (the
 * coordinator expelled the member, e.g. after a broker hang) by dropping
 * its member id and rejoining; when that rejoin fails (the coordinator is
 * still loading), it goes back to fetching with no member id, and a
 * consumer without one skips its heartbeats, so it never learns it must
 * rejoin: it fetches on, commits are refused, and no group join comes,
 * for as long as the process lives. A healthy member heartbeats every
 * interval while it fetches, so fetches answered while no heartbeat was
 * accepted for this long mean the consumer is no longer in the group: the
 * owner replaces it with a new one.
 *
 * Pure bookkeeping; the clock is injectable for tests.
 */

export class MembershipWatch {
  private lastHeartbeat: number;
  private lastFetch: number | undefined;

  /** `silenceMs`: how long fetches may go on without an accepted heartbeat. */
  constructor(
    private readonly silenceMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastHeartbeat = now();
  }

  /** The consumer joined (or was replaced): its clock starts again. */
  joined(): void {
    this.lastHeartbeat = this.now();
    this.lastFetch = undefined;
  }

  heartbeat(): void {
    this.lastHeartbeat = this.now();
  }

  fetched(): void {
    this.lastFetch = this.now();
  }

  /** A fetch answered longer than the bound after the last accepted heartbeat: how long, else undefined. */
  silentWhileFetching(): number | undefined {
    if (this.lastFetch === undefined) return undefined;
    const silent = this.lastFetch - this.lastHeartbeat;
    return silent > this.silenceMs ? silent : undefined;
  }
}
