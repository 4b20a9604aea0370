import { percentile, summarizeLatencies } from '../../../scripts/bench/latency-stats';

describe('latency percentiles', () => {
  it('takes the nearest rank: the smallest value with p% of values at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarizes unsorted latencies, one decimal', () => {
    expect(summarizeLatencies([30, 10.04, 20, 1000])).toEqual({ samples: 4, p50Ms: 20, p95Ms: 1000, p99Ms: 1000, maxMs: 1000, meanMs: 265 });
  });

  it('refuses to invent a percentile of nothing', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
  });
});
