/**
 * `npm run bench`: every benchmark, one after the other, each as its own npm
 * script in a child process (its progress shows as it runs), then one
 * results file: bench-results/summary.json (every result file as written,
 * with the targets met or missed) and bench-results/summary.md (a table).
 *
 * A benchmark's result files are the JSON files it wrote in bench-results/
 * while it ran (found by their modification time), so a benchmark can name
 * its files as it likes. A benchmark that fails is reported and the others
 * still run; the exit code is 1 if any failed, 0 otherwise (a missed target
 * is a result, not a failure).
 *
 * Before each benchmark the machine must be quiet for a few seconds (what
 * the previous one left behind settles first); the wait is reported with
 * the run, and a benchmark that ran on a machine that never got quiet says so.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeMachine } from '../../lib/bench/machine';
import { waitForQuiet } from '../../lib/bench/machine-quiet';
import { EXIT_FAILED, EXIT_OK, parseCli, runCli, UsageError } from '../../lib/cli/cli';
import { noPositionals } from '../../lib/cli/flag-values';
import { BenchFile, BenchRun, BenchSummary, renderSummaryMarkdown, targetsOf } from './bench-summary';

/**
 * In the order they run: the quick ones first, so a broken set-up shows
 * early; latency last, as a freshly started broker is 2–3× slower on its
 * path for its first minutes and the replay's load warms it.
 */
const BENCHES = ['bench:produce', 'bench:processors', 'bench:sinks', 'bench:replay', 'bench:latency'] as const;
const RESULTS_DIR = 'bench-results';
const SUMMARY_FILES = new Set(['summary.json']);

const USAGE = `usage: npm run bench [-- --skip <names>] [-- --only <names>]
Runs every benchmark (${BENCHES.join(', ')}) and writes
${RESULTS_DIR}/summary.json and ${RESULTS_DIR}/summary.md: each benchmark's results,
the machine, and each target met or missed.
  --only <names>   comma-separated, e.g. produce,latency (the part after "bench:")
  --skip <names>   comma-separated benchmarks to leave out`;

function selectBenches(argv: readonly string[]): string[] {
  const { values, positionals } = parseCli(argv, { only: { type: 'string' }, skip: { type: 'string' } });
  noPositionals(positionals);
  const names = (list: string | undefined): string[] | undefined => list?.split(',').map((n) => `bench:${n.trim().replace(/^bench:/, '')}`);
  const only = names(values.only);
  const skip = names(values.skip) ?? [];
  for (const name of [...(only ?? []), ...skip]) {
    if (!(BENCHES as readonly string[]).includes(name)) throw new UsageError(`no benchmark ${name}; there are ${BENCHES.join(', ')}`);
  }
  return BENCHES.filter((b) => (only === undefined || only.includes(b)) && !skip.includes(b));
}

function runScript(script: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/** JSON files in the results directory modified since `since` (epoch ms). */
async function filesWrittenSince(since: number): Promise<BenchFile[]> {
  const names = await readdir(RESULTS_DIR).catch(() => [] as string[]);
  const files: BenchFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !SUMMARY_FILES.has(n)).sort()) {
    const file = path.join(RESULTS_DIR, name);
    if ((await stat(file)).mtimeMs < since) continue;
    let result: unknown;
    try {
      result = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      result = { unreadable: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
    files.push({ file: name, targets: targetsOf(result), result });
  }
  return files;
}

async function main(): Promise<number> {
  const benches = selectBenches(process.argv.slice(2));
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  await mkdir(RESULTS_DIR, { recursive: true });
  const runs: BenchRun[] = [];
  for (const [i, script] of benches.entries()) {
    process.stderr.write(`\n=== ${script} (${i + 1}/${benches.length}) ===\n`);
    const quiet = await waitForQuiet();
    process.stderr.write(
      quiet.quiet
        ? `machine quiet after ${quiet.seconds} s\n`
        : `machine still busy after ${quiet.seconds} s (${Math.round(quiet.lastBusy * 100)}% of the cores): running anyway, the figures may suffer\n`,
    );
    const since = Date.now();
    const started = performance.now();
    const exitCode = await runScript(script);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    runs.push({ script, exitCode, seconds, quietWait: quiet, files: await filesWrittenSince(since) });
    process.stderr.write(`=== ${script}: ${exitCode === 0 ? 'done' : `FAILED (exit ${exitCode ?? 'signal'})`} in ${seconds} s ===\n`);
  }
  const summary: BenchSummary = {
    benchmark: 'all',
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: { ...describeMachine(), loadAverageAtStart },
    runs,
  };
  const markdown = renderSummaryMarkdown(summary);
  await writeFile(path.join(RESULTS_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path.join(RESULTS_DIR, 'summary.md'), markdown);
  process.stdout.write(`\n${markdown}\nwritten: ${RESULTS_DIR}/summary.json, ${RESULTS_DIR}/summary.md\n`);
  return runs.every((r) => r.exitCode === 0) ? EXIT_OK : EXIT_FAILED;
}

if (require.main === module) runCli(USAGE, main);
