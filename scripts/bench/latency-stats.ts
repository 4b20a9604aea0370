/** Percentiles of measured latencies (nearest-rank), as the latency benchmark reports them. */

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** The nearest-rank percentile of ascending values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('no samples: a percentile needs at least one value');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

const ms = (value: number): number => Math.round(value * 10) / 10;

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  return {
    samples: values.length,
    p50Ms: ms(percentile(values, 50)),
    p95Ms: ms(percentile(values, 95)),
    p99Ms: ms(percentile(values, 99)),
    maxMs: ms(values[values.length - 1]!),
    meanMs: ms(values.reduce((sum, v) => sum + v, 0) / values.length),
  };
}
