/**
 * Raw consumption and a sink, measured in turns: round 1 raw first, round 2
 * the sink first, and so on, so neither side always runs on a warmer (or
 * busier) machine than the other.
 */
import type { ConsumeTiming } from '../../lib/bench/raw-consume';

export async function alternatingRounds<S extends ConsumeTiming>(
  rounds: number,
  raw: () => Promise<ConsumeTiming>,
  sink: (round: number) => Promise<S>,
  report: (round: number, which: 'raw' | 'sink', timing: ConsumeTiming) => void,
): Promise<{ raw: ConsumeTiming[]; sink: S[] }> {
  const raws: ConsumeTiming[] = [];
  const sinks: S[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['raw', 'sink'] as const) : (['sink', 'raw'] as const);
    for (const which of order) {
      const timing = which === 'raw' ? await raw() : await sink(round);
      if (which === 'raw') raws.push(timing);
      else sinks.push(timing as S);
      report(round, which, timing);
    }
  }
  return { raw: raws, sink: sinks };
}
