/** The produce benchmark's result: its shape (the JSON written to --out), the medians, and the table on stdout. */
import { columns } from '../../lib/cli/cli';
import type { MachineDescription } from '../../lib/bench/machine';

export type BenchPath = 'avro' | 'raw';

export interface PathRound {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU time of this process (all threads, GC included) per event: less sensitive to other load than wall time. */
  readonly cpuMicrosPerEvent: number;
}

export interface Round {
  readonly round: number;
  readonly avro: PathRound;
  readonly raw: PathRound;
  /** avro / raw events per second in this round. */
  readonly ratio: number;
}

export interface PathResult {
  readonly description: string;
  readonly medianEventsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly medianCpuMicrosPerEvent: number;
}

export interface BenchSettings {
  readonly events: number;
  readonly rounds: number;
  readonly segment: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly seed: number;
  readonly eventsPerPublishCall: number;
  readonly publishCallsInFlight: number;
  readonly producer: string;
}

export interface ProduceBenchResult {
  readonly benchmark: 'produce';
  readonly startedAt: string;
  readonly machine: MachineDescription & { readonly brokers: string; readonly loadAverage: readonly number[] };
  readonly settings: BenchSettings;
  readonly avro: PathResult;
  readonly raw: PathResult;
  readonly rounds: readonly Round[];
  /** Median of the rounds' avro / raw ratios. */
  readonly ratio: number;
  readonly target: number;
  readonly meetsTarget: boolean;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function pathRound(events: number, seconds: number, cpuMicros: number): PathRound {
  return { seconds: Math.round(seconds * 1000) / 1000, eventsPerSecond: Math.round(events / seconds), cpuMicrosPerEvent: round2(cpuMicros / events) };
}

export function pathResult(description: string, rounds: readonly PathRound[], bytesPerEvent: number): PathResult {
  const perSecond = median(rounds.map((r) => r.eventsPerSecond));
  return {
    description,
    medianEventsPerSecond: Math.round(perSecond),
    megabytesPerSecond: round2((perSecond * bytesPerEvent) / 1e6),
    medianCpuMicrosPerEvent: round2(median(rounds.map((r) => r.cpuMicrosPerEvent))),
  };
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;
const rate = (n: number): string => Math.round(n).toLocaleString('en-US');

export function describeRound(r: Round, rounds: number): string {
  return `round ${r.round}/${rounds}: avro ${rate(r.avro.eventsPerSecond)} events/s (${r.avro.cpuMicrosPerEvent} µs CPU/event), raw ${rate(r.raw.eventsPerSecond)} events/s (${r.raw.cpuMicrosPerEvent} µs CPU/event), ratio ${pct(r.ratio)}`;
}

export function renderTable(result: ProduceBenchResult): string {
  const { machine: m, settings: s } = result;
  const pathRow = (name: string, p: PathResult) => [name, rate(p.medianEventsPerSecond), p.megabytesPerSecond.toFixed(2), p.medianCpuMicrosPerEvent.toFixed(2)];
  const summary = [
    ['path', 'events/s (median)', 'MB/s', 'CPU µs/event'],
    pathRow('Publisher (validate + Avro + registry)', result.avro),
    pathRow('raw @platformatic/kafka (same bytes)', result.raw),
  ];
  const rounds = [
    ['round', 'avro events/s', 'raw events/s', 'ratio', 'avro CPU µs/event', 'raw CPU µs/event'],
    ...result.rounds.map((r) => [
      String(r.round),
      rate(r.avro.eventsPerSecond),
      rate(r.raw.eventsPerSecond),
      pct(r.ratio),
      r.avro.cpuMicrosPerEvent.toFixed(2),
      r.raw.cpuMicrosPerEvent.toFixed(2),
    ]),
  ];
  return [
    `produce benchmark: ${rate(s.events)} events per path and round, batch ${s.batchSize}, ${s.rounds} round(s) interleaved in segments of ${rate(s.segment)}`,
    ...columns(summary),
    '',
    ...columns(rounds),
    '',
    `ratio Avro/raw (median of rounds): ${pct(result.ratio)} (target ≥ ${pct(result.target)}: ${result.meetsTarget ? 'met' : 'NOT met'})`,
    `machine: ${m.cpuModel} × ${m.cpuCount}, ${m.totalMemoryGiB} GiB, ${m.platform}, node ${m.node}, ${m.kafkaClient}, Kafka ${m.kafka}; ${m.brokers}; load average at start ${m.loadAverage.join(' ')}`,
  ].join('\n');
}
