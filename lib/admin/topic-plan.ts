/**
 * The topics that should exist, derived from lib/topics.ts: every declared
 * topic plus `<topic>.dlq` for the ones with a dead-letter topic, optionally
 * under a name prefix (tests and staging copies provision their own set).
 */
import { DEAD_LETTER_RETENTION_MS, TOPICS, TopicSpec, deadLetterTopic } from '../topics';

/** The topic-level settings provisioning owns; anything else set on a topic is left alone. */
export const MANAGED_CONFIGS = ['cleanup.policy', 'retention.ms'] as const;
export type ManagedConfig = (typeof MANAGED_CONFIGS)[number];

export interface DesiredTopic {
  readonly name: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<ManagedConfig, string>>;
  /** For a dead-letter topic: the topic it serves. */
  readonly deadLetterOf?: string;
}

export interface TopicPlanOptions {
  /** Prepended to every topic name, e.g. `test-x-` → `test-x-orders.events`. */
  readonly prefix?: string;
}

export function desiredTopics(specs: readonly TopicSpec[] = TOPICS, options: TopicPlanOptions = {}): DesiredTopic[] {
  const prefix = options.prefix ?? '';
  const desired: DesiredTopic[] = [];
  for (const spec of specs) {
    const name = `${prefix}${spec.name}`;
    desired.push({
      name,
      partitions: spec.partitions,
      configs: { 'cleanup.policy': spec.cleanupPolicy, 'retention.ms': String(spec.retentionMs) },
    });
    if (spec.hasDeadLetter) {
      desired.push({
        name: deadLetterTopic(name),
        // As many partitions as the input, so dead letters can keep the input's key and spread the same way.
        partitions: spec.partitions,
        configs: { 'cleanup.policy': 'delete', 'retention.ms': String(DEAD_LETTER_RETENTION_MS) },
        deadLetterOf: name,
      });
    }
  }
  return desired;
}
