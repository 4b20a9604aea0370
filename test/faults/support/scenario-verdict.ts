/**
 * The end of every fault scenario: wait for every consumer group to reach
 * lag 0 by itself (the issue's 30 s from the broker being back, or from the
 * end of the load if it ran longer), check that no service died, run the
 * exactness checks, print one report with every verdict (kept beside the
 * logs), and fail the test if any verdict failed.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../../producers/loadgen/runner';
import { checkExactness, ExactnessReport, formatVerdicts, Verdict } from './exactness';
import type { FaultPipeline, ServiceName } from './fault-pipeline';

/** The issue's bound: every group at lag 0 within 30 s of the broker being back. */
export const LAG_ZERO_WITHIN_MS = 30_000;
/** How much longer to keep looking after the bound, to tell a slow recovery from none. */
const LATE_LOOK_MS = 60_000;

export interface ScenarioEnd {
  /** When the last fault ended (broker back), epoch ms. */
  readonly faultEndedAt: number;
  /** When the last load generator finished, epoch ms. */
  readonly loadEndedAt: number;
  readonly loads: readonly RunSummary[];
  readonly services: readonly ServiceName[];
  /** Scenario-specific verdicts (health during a hang, fencing, the broker's log). */
  readonly verdicts?: readonly Verdict[];
  /** Scenario-specific verdicts that need the outputs read back. */
  readonly after?: (report: ExactnessReport) => Promise<Verdict[]> | Verdict[];
  /** Timings to print, ms. */
  readonly timings?: Readonly<Record<string, number>>;
}

export async function finishScenario(fault: FaultPipeline, name: string, end: ScenarioEnd): Promise<void> {
  const reference = Math.max(end.faultEndedAt, end.loadEndedAt);
  const lag = await fault.waitForLagZero(reference, LAG_ZERO_WITHIN_MS + LATE_LOOK_MS, end.services);
  const verdicts: Verdict[] = [...(end.verdicts ?? [])];
  verdicts.push({
    check: `every consumer group at lag 0 within ${LAG_ZERO_WITHIN_MS / 1000} s of the broker back / load end`,
    ok: lag.afterMs !== null && lag.afterMs <= LAG_ZERO_WITHIN_MS,
    detail:
      lag.afterMs !== null
        ? `all at 0 after ${(lag.afterMs / 1000).toFixed(1)} s`
        : `not within ${(LAG_ZERO_WITHIN_MS + LATE_LOOK_MS) / 1000} s; still behind: ${Object.entries(lag.behind)
            .map(
              ([group, lags]) =>
                `${group} ${lags.map((l) => `${l.topic.slice(fault.prefix.length)}[${l.partition}] committed ${l.committed ?? '-'} end ${l.end}`).join(', ')}`,
            )
            .join(' | ')}`,
  });
  const dead = fault.instances.filter((i) => !fault.stopped.has(i.label) && (i.child.exitCode !== null || i.child.signalCode !== null));
  verdicts.push({
    check: 'no service died (none was restarted by the test)',
    ok: dead.length === 0,
    detail:
      dead.length === 0
        ? `${fault.instances.length - fault.stopped.size} instances running`
        : dead.map((i) => `${i.label} exited ${i.child.exitCode ?? i.child.signalCode}`).join(', '),
  });
  const events = end.loads.reduce((n, l) => n + l.events, 0);
  const loadSeconds = end.loads.reduce((n, l) => n + l.elapsedMs, 0) / 1000;
  const exact = await checkExactness(fault, { services: end.services, loads: end.loads });
  verdicts.push(...exact.verdicts);
  if (end.after) verdicts.push(...(await end.after(exact)));

  const timings = Object.entries(end.timings ?? {})
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
  const report = [
    `[faults] ${name} (prefix ${fault.prefix})`,
    `load: ${events} events in ${loadSeconds.toFixed(1)} s (${(events / Math.max(1, loadSeconds)).toFixed(0)} events/s achieved, target ${end.loads[0]?.targetRate ?? '-'}/s); ${exact.orders} orders`,
    ...(timings ? [`timings: ${timings}`] : []),
    formatVerdicts(verdicts),
  ].join('\n');
  writeFileSync(path.join(fault.logDir, 'report.txt'), `${report}\n`);
  if (existsSync(fault.broker.logPath)) copyFileSync(fault.broker.logPath, path.join(fault.logDir, 'broker-server.log'));
  process.stderr.write(`${report}\n`);
  const failed = verdicts.filter((v) => !v.ok).map((v) => `${v.check}: ${v.detail}`);
  expect(failed).toEqual([]);
}

/** A verdict on /health samples: some sample in the window must satisfy `want`. */
export function someHealth(label: string, samples: ReadonlyArray<{ at: number; status: number }>, want: (status: number) => boolean, what: string): Verdict {
  const hit = samples.find((s) => want(s.status));
  const statuses = [...new Set(samples.map((s) => s.status))].join('/');
  return {
    check: `${label} /health ${what}`,
    ok: hit !== undefined,
    detail: hit ? `seen at ${new Date(hit.at).toISOString()}` : `${samples.length} samples, statuses ${statuses || 'none'}`,
  };
}
