/** The arithmetic every sink benchmark reports with. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** a / b to three decimals: how ratios are written to the result files. */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;
