/** How a rebuild shows its progress: records done of the total, rate and ETA, as one line. */
import { formatDuration } from '../../producers/loadgen/run-report';

export interface RebuildProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

const BAR_WIDTH = 30;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatProgress({ done, total, elapsedMs }: RebuildProgress): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = fraction >= 1 ? 'done' : rate > 0 ? `ETA ${formatDuration(((total - done) / rate) * 1000)}` : 'ETA -';
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${int(done)}/${int(total)} records  ${int(rate)}/s  ${eta}`;
}

/** Records done and to do, per partition from where the group started to the end it has to reach. */
export function progressOf(
  start: ReadonlyMap<string, number>,
  ends: ReadonlyMap<string, number>,
  committed: ReadonlyMap<string, number>,
): { done: number; total: number } {
  let done = 0;
  let total = 0;
  for (const [key, end] of ends) {
    const from = start.get(key) ?? 0;
    total += Math.max(0, end - from);
    done += Math.max(0, Math.min(end, committed.get(key) ?? from) - from);
  }
  return { done, total };
}
