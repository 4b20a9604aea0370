import { TokenBucket } from '../../../producers/loadgen/token-bucket';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('lets the initial burst through, then asks to wait 1/rate per token', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rate: 100, burst: 10, now: clock.now });
    for (let i = 0; i < 10; i++) expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBeCloseTo(10); // 1 token in debt at 100/s
    expect(bucket.reserve()).toBeCloseTo(20);
  });

  it('refills with time, up to the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rate: 1000, burst: 5, now: clock.now });
    expect(bucket.reserve(5)).toBe(0);
    clock.advance(2); // 2 tokens back
    expect(bucket.available()).toBeCloseTo(2);
    clock.advance(1_000); // far more than the burst
    expect(bucket.available()).toBe(5);
  });

  it('holds the long-run rate: N tokens after waiting as told take N/rate seconds', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rate: 2_000, now: clock.now });
    const start = clock.now();
    let sent = 0;
    while (sent < 20_000) {
      const wait = bucket.reserve();
      if (wait >= 10) clock.advance(wait); // batched sleeps, as the runner does
      sent++;
    }
    const seconds = (clock.now() - start) / 1000;
    // the first burst (a tenth of a second's worth) is free
    expect(seconds).toBeGreaterThan(9.85);
    expect(seconds).toBeLessThan(10.01);
  });

  it('defaults the burst to a tenth of a second, at least one token', () => {
    expect(new TokenBucket({ rate: 2_000, now: () => 0 }).burst).toBe(200);
    expect(new TokenBucket({ rate: 2, now: () => 0 }).burst).toBe(1);
  });

  it.each([0, -5, NaN, Infinity])('refuses a rate of %s', (rate) => {
    expect(() => new TokenBucket({ rate })).toThrow(/rate must be a number > 0 \(events per second\)/);
  });

  it('refuses a burst below one token', () => {
    expect(() => new TokenBucket({ rate: 10, burst: 0.5 })).toThrow(/burst must be a number ≥ 1/);
  });
});
