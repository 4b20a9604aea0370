/**
 * Rate limiting for the load generator: a token bucket refilled at `rate`
 * tokens per second, holding at most `burst`. Pure (the clock is injected):
 * `reserve` takes tokens now, going into debt if needed, and says how long
 * the caller must wait before acting, so waits can be batched (sleep once
 * for many events) without drifting from the target rate.
 */
export type Clock = () => number;

export interface TokenBucketOptions {
  /** Tokens (events) per second, > 0. */
  readonly rate: number;
  /**
   * Most tokens saved up while idle: how far the producer may burst above
   * the rate after a pause. Default: a tenth of a second's worth (at least 1).
   */
  readonly burst?: number;
  /** Milliseconds, monotonic; default performance.now. */
  readonly now?: Clock;
}

export class TokenBucket {
  readonly rate: number;
  readonly burst: number;
  private readonly now: Clock;
  private tokens: number;
  private last: number;

  constructor(options: TokenBucketOptions) {
    const { rate } = options;
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`rate must be a number > 0 (events per second), got ${rate}`);
    const burst = options.burst ?? Math.max(1, rate / 10);
    if (!Number.isFinite(burst) || burst < 1) throw new RangeError(`burst must be a number ≥ 1, got ${burst}`);
    this.rate = rate;
    this.burst = burst;
    this.now = options.now ?? (() => performance.now());
    this.last = this.now();
    // Starts full: the first burst goes out at once.
    this.tokens = burst;
  }

  /** Takes `count` tokens; returns the milliseconds to wait before using them (0: now). */
  reserve(count = 1): number {
    this.refill();
    this.tokens -= count;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.rate) * 1000;
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.rate);
  }
}
