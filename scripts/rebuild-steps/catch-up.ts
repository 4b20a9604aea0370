/**
 * Watches a consumer group until it has committed up to given end offsets,
 * reporting progress; fails early when the service doing the work exits.
 */
import type { Admin } from '../../lib/kafka/clients';
import { consumerLag } from '../../lib/admin/consumer-lag';
import { positionKey } from '../../lib/admin/record-timestamps';
import { progressOf, RebuildProgress } from './progress';

const POLL_MS = 500;

export interface CatchUpOptions {
  readonly admin: Admin;
  readonly group: string;
  readonly topics: readonly string[];
  /** where the group starts, per topic:partition */
  readonly start: ReadonlyMap<string, number>;
  /** the offsets it has to reach */
  readonly ends: ReadonlyMap<string, number>;
  onProgress(progress: RebuildProgress): void;
  /** Resolves with a reason when the worker stopped, so the wait ends with an error instead of hanging. */
  readonly workerStopped: Promise<string>;
}

export async function waitForCatchUp(options: CatchUpOptions): Promise<RebuildProgress> {
  const startedAt = Date.now();
  let stopped: string | null = null;
  void options.workerStopped.then((reason) => (stopped = reason));
  for (;;) {
    const lags = await consumerLag(options.admin, options.group, options.topics);
    const committed = new Map(lags.filter((l) => l.committed !== null).map((l) => [positionKey(l.topic, l.partition), l.committed as number]));
    const progress = { ...progressOf(options.start, options.ends, committed), elapsedMs: Date.now() - startedAt };
    options.onProgress(progress);
    if (progress.done >= progress.total) return progress;
    if (stopped !== null) throw new Error(`${stopped} before catching up (${progress.done} of ${progress.total} records)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
