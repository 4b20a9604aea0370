/**
 * Topics of one benchmark run: the load generator's three topics, declared as
 * in lib/topics.ts (same partitions), under a prefix of the run's own, and
 * deleted afterwards so runs leave no data behind.
 */
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import type { Admin } from '../../lib/kafka/clients';
import type { Logger } from '../../lib/logger';
import { TOPICS } from '../../lib/topics';
import { GENERATED_TOPICS } from '../loadgen/generated-topics';

export const BENCH_TOPICS: readonly string[] = GENERATED_TOPICS;

export async function createBenchTopics(admin: Admin, prefix: string, logger: Logger): Promise<string[]> {
  // No dead-letter topics: nothing consumes these.
  const specs = TOPICS.filter((spec) => BENCH_TOPICS.includes(spec.name)).map((spec) => ({ ...spec, hasDeadLetter: false }));
  const reports = await provisionTopics(admin, desiredTopics(specs, { prefix }), { logger });
  const problems = reports.flatMap((r) => r.problems.map((p) => `${r.topic}: ${p}`));
  if (problems.length > 0) throw new Error(`cannot provision the benchmark topics: ${problems.join('; ')}`);
  return reports.map((r) => r.topic);
}

export async function deleteTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length > 0) await admin.deleteTopics({ topics: [...topics] });
}
