/**
 * The one results file of `npm run bench`: every benchmark's result files
 * as they were written, the targets each states (met or missed), and a
 * Markdown table of them. Pure: run-all.ts does the running and the I/O.
 *
 * Targets are read from a result in this order:
 * - a `targets` array of BenchTarget (the convention; see bench-target.ts);
 * - the produce benchmark's `ratio` / `target` / `meetsTarget`;
 * - a `target` object with a boolean `met` (its other keys are the goals,
 *   looked up by name in the result, at the top or one level down);
 * otherwise none is stated and the result is shown as given.
 */
import type { MachineDescription } from '../../lib/bench/machine';
import type { BenchTarget } from '../../lib/bench/bench-target';
import type { QuietWait } from '../../lib/bench/machine-quiet';

export interface BenchFile {
  /** Path relative to the results directory. */
  readonly file: string;
  /** Null when the result states no target this summary can read. */
  readonly targets: readonly BenchTarget[] | null;
  /** The file's JSON as written. */
  readonly result: unknown;
}

export interface BenchRun {
  /** The npm script, e.g. bench:produce. */
  readonly script: string;
  readonly exitCode: number | null;
  readonly seconds: number;
  /** How long the machine took to get quiet before the run, and whether it did. */
  readonly quietWait?: QuietWait;
  /** Result files the run wrote. */
  readonly files: readonly BenchFile[];
}

export interface BenchSummary {
  readonly benchmark: 'all';
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineDescription & { readonly loadAverageAtStart: readonly number[] };
  readonly runs: readonly BenchRun[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function isBenchTarget(value: unknown): value is BenchTarget {
  return (
    isObject(value) &&
    typeof value['name'] === 'string' &&
    typeof value['measured'] === 'string' &&
    typeof value['target'] === 'string' &&
    typeof value['met'] === 'boolean'
  );
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** A number under `key` at the top of the result or one level down. */
function findNumber(result: Json, key: string): number | undefined {
  if (typeof result[key] === 'number') return result[key];
  for (const value of Object.values(result)) if (isObject(value) && typeof value[key] === 'number') return value[key];
  return undefined;
}

export function targetsOf(result: unknown): BenchTarget[] | null {
  if (!isObject(result)) return null;
  const { targets, target } = result;
  if (Array.isArray(targets) && targets.length > 0 && targets.every(isBenchTarget)) return [...targets];
  if (result['benchmark'] === 'produce' && typeof result['ratio'] === 'number' && typeof target === 'number' && typeof result['meetsTarget'] === 'boolean') {
    return [
      {
        name: 'produce: Publisher events/s ÷ raw client events/s (median of rounds)',
        measured: pct(result['ratio']),
        target: `≥ ${pct(target)}`,
        met: result['meetsTarget'],
      },
    ];
  }
  if (isObject(target) && typeof target['met'] === 'boolean') {
    const goals = Object.entries(target).filter(([key]) => key !== 'met');
    const name = typeof result['benchmark'] === 'string' ? result['benchmark'] : 'result';
    return [
      {
        name: `${name}: ${goals.map(([key]) => key).join(', ')}`,
        measured: goals.map(([key]) => String(findNumber(result, key) ?? '?')).join(', '),
        target: goals.map(([, goal]) => String(goal)).join(', '),
        met: target['met'],
      },
    ];
  }
  return null;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderSummaryMarkdown(summary: BenchSummary): string {
  const m = summary.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${summary.startedAt}, ${Math.round(summary.seconds)} s in all. Machine: ${m.cpuModel} × ${m.cpuCount}, ${m.totalMemoryGiB} GiB, ${m.platform}, Node ${m.node}, ${m.kafkaClient}, Kafka ${m.kafka}, ioredis ${m.ioredis}; load average at start ${m.loadAverageAtStart.join(' ')}.`,
    'The services (Kafka, Redis, ClickHouse) run on the same machine; absolute figures move with other load on it, ratios measured side by side less so.',
    '',
    '| benchmark | file | target | measured | goal | result |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const asGiven: string[] = [];
  for (const run of summary.runs) {
    if (run.exitCode !== 0) lines.push(`| ${run.script} | – | – | – | – | **failed** (exit ${run.exitCode ?? 'signal'}, see its output) |`);
    if (run.files.length === 0 && run.exitCode === 0) lines.push(`| ${run.script} | – | – | – | – | no result file written |`);
    for (const file of run.files) {
      if (file.targets === null) {
        lines.push(`| ${run.script} | ${file.file} | not stated | see below | – | – |`);
        asGiven.push('', `## ${file.file} (as given)`, '', '```json', JSON.stringify(file.result, null, 2), '```');
        continue;
      }
      for (const t of file.targets) {
        lines.push(`| ${run.script} | ${file.file} | ${cell(t.name)} | ${cell(t.measured)} | ${cell(t.target)} | ${t.met ? 'met' : '**missed**'} |`);
      }
    }
  }
  const busy = summary.runs.filter((run) => run.quietWait !== undefined && !run.quietWait.quiet);
  if (busy.length > 0) {
    lines.push(
      '',
      `Started on a busy machine (figures may suffer): ${busy.map((run) => `${run.script} (${Math.round((run.quietWait?.lastBusy ?? 0) * 100)}% of the cores busy after ${run.quietWait?.seconds} s)`).join(', ')}.`,
    );
  }
  return [...lines, ...asGiven, ''].join('\n');
}
