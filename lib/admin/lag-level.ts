/**
 * How bad a consumer's time lag is: the age of the oldest record it has not
 * committed yet. The levels are the operations issue's: normal under 200 ms,
 * warning up to 2 s, critical up to 30 s, emergency beyond.
 */

export const LAG_LEVELS = ['normal', 'warning', 'critical', 'emergency'] as const;
export type LagLevel = (typeof LAG_LEVELS)[number];

/** Upper bounds (exclusive) in ms of every level but the last. */
export const LAG_LEVEL_BOUNDS_MS = { normal: 200, warning: 2_000, critical: 30_000 } as const;

export function lagLevel(timeLagMs: number): LagLevel {
  if (timeLagMs < LAG_LEVEL_BOUNDS_MS.normal) return 'normal';
  if (timeLagMs < LAG_LEVEL_BOUNDS_MS.warning) return 'warning';
  if (timeLagMs < LAG_LEVEL_BOUNDS_MS.critical) return 'critical';
  return 'emergency';
}

export function worstLevel(levels: Iterable<LagLevel>): LagLevel {
  let worst = 0;
  for (const level of levels) worst = Math.max(worst, LAG_LEVELS.indexOf(level));
  return LAG_LEVELS[worst] ?? 'normal';
}
