/**
 * How a benchmark states a target in its result file (a `targets` array),
 * so that `npm run bench` can mark each one met or missed without knowing
 * the benchmark's own shape.
 */
export interface BenchTarget {
  /** What is measured, e.g. "p99 produce → visible in Redis". */
  readonly name: string;
  /** The figure with its unit, e.g. "84.2 ms". */
  readonly measured: string;
  /** The goal with its comparison, e.g. "< 100 ms". */
  readonly target: string;
  readonly met: boolean;
}
