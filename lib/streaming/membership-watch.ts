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
 * interval while it fetches, so fetches answered for this long without a
 * heartbeat accepted in between mean the consumer is no longer in the
 * group: the owner replaces it with a new one. (Counted from the first
 * fetch after the last heartbeat: the first fetches after a broker hang
 * come long after the last heartbeat, and a member heartbeats right after.)
 *
 * Pure bookkeeping; the clock is injectable for tests.
 */

export class MembershipWatch {
  private lastHeartbeat: number;
  /** The first and the last fetch answered since the last heartbeat. */
  private firstFetch: number | undefined;
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
    this.heartbeat();
  }

  heartbeat(): void {
    this.lastHeartbeat = this.now();
    this.firstFetch = undefined;
    this.lastFetch = undefined;
  }

  fetched(): void {
    const now = this.now();
    this.firstFetch ??= now;
    this.lastFetch = now;
  }

  /** Since the last heartbeat accepted (or join): a consumer silent much longer than a session is stuck, whatever it does. */
  silentMs(): number {
    return this.now() - this.lastHeartbeat;
  }

  /** Fetches answered for longer than the bound with no heartbeat accepted: since the last heartbeat, else undefined. */
  silentWhileFetching(): number | undefined {
    if (this.firstFetch === undefined || this.lastFetch === undefined) return undefined;
    return this.lastFetch - this.firstFetch > this.silenceMs ? this.lastFetch - this.lastHeartbeat : undefined;
  }
}
