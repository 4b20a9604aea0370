/**
 * Waits for the machine to be quiet before a benchmark starts: the work a
 * previous benchmark leaves behind (the broker deleting its topics and
 * collecting garbage, ClickHouse merging parts) or anything else running
 * skews a latency measurement far more than a throughput one. Busy share
 * comes from os.cpus() times, sampled once a second.
 */
import os from 'node:os';

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

function cpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** Busy share of all cores between two samples, 0–1. */
export function busyShare(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  return total <= 0 ? 0 : (after.busy - before.busy) / total;
}

export interface QuietSettings {
  /** Busy share of all cores under which a second counts as quiet. */
  readonly maxBusy: number;
  /** Quiet seconds in a row needed. */
  readonly quietSeconds: number;
  /** Give up waiting after this long (the benchmark runs anyway; the wait says so). */
  readonly timeoutSeconds: number;
}

export const DEFAULT_QUIET: QuietSettings = { maxBusy: 0.15, quietSeconds: 3, timeoutSeconds: 90 };

export interface QuietWait {
  readonly seconds: number;
  readonly quiet: boolean;
  /** Busy share of the last second sampled. */
  readonly lastBusy: number;
}

/** Whether the busy shares seen so far, newest last, end in enough quiet seconds. */
export function isQuiet(shares: readonly number[], settings: QuietSettings): boolean {
  if (shares.length < settings.quietSeconds) return false;
  return shares.slice(-settings.quietSeconds).every((share) => share <= settings.maxBusy);
}

export async function waitForQuiet(settings: QuietSettings = DEFAULT_QUIET): Promise<QuietWait> {
  const shares: number[] = [];
  let previous = cpuTimes();
  while (shares.length < settings.timeoutSeconds) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = cpuTimes();
    shares.push(busyShare(previous, now));
    previous = now;
    if (isQuiet(shares, settings)) return { seconds: shares.length, quiet: true, lastBusy: shares[shares.length - 1]! };
  }
  return { seconds: shares.length, quiet: false, lastBusy: shares[shares.length - 1] ?? 0 };
}
