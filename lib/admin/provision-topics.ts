/**
 * Makes the cluster's topics match a plan (lib/admin/topic-plan.ts):
 * creates missing topics, pins cleanup.policy and retention.ms at topic
 * level on existing ones, grows partition counts when allowed, and reports
 * every difference it cannot fix. Running it twice changes nothing the
 * second time. Settings are changed with IncrementalAlterConfigs, so a
 * topic's other overrides (set by someone on purpose) stay as they are.
 */
import type { Admin } from '../kafka/clients';
import { describeTopicConfigs, setTopicConfigs, type TopicConfigEntry } from '../kafka/topic-configs';
import { partitionCounts } from '../kafka/topic-metadata';
import type { Logger } from '../logger';
import { createTopicsAndWait } from './create-topics';
import { DesiredTopic, MANAGED_CONFIGS, ManagedConfig } from './topic-plan';

export type TopicAction = 'created' | 'changed' | 'unchanged';

export interface SettingChange {
  /** A config name, or `partitions`. */
  readonly setting: string;
  readonly from: string;
  readonly to: string;
}

export interface TopicReport {
  readonly topic: string;
  /** What was done (or, in a dry run, what would be). */
  readonly action: TopicAction;
  readonly changes: readonly SettingChange[];
  /** Differences left as they are, each saying why and what to do. */
  readonly problems: readonly string[];
}

export interface ProvisionOptions {
  /** Report what would be done without changing anything. */
  readonly dryRun?: boolean;
  /**
   * Adding partitions moves keys to other partitions: an aggregate's later
   * events would no longer follow its earlier ones, and co-partitioned
   * topics would disagree. Only with this flag (e.g. on empty topics).
   */
  readonly allowPartitionIncrease?: boolean;
  /** For new topics; the broker default (default.replication.factor) when absent. */
  readonly replicationFactor?: number;
  readonly logger?: Logger;
}

/** "compact,delete" and "delete,compact" are the same policy. */
function normalize(setting: ManagedConfig, value: string): string {
  if (setting === 'cleanup.policy') {
    return value
      .split(',')
      .map((part) => part.trim())
      .sort()
      .join(',');
  }
  return value.trim();
}

function configChanges(desired: DesiredTopic, entries: readonly TopicConfigEntry[]): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const setting of MANAGED_CONFIGS) {
    const want = desired.configs[setting];
    const entry = entries.find((e) => e.name === setting);
    const pinned = entry?.origin === 'topic';
    const current = entry?.value ?? undefined;
    // A value inherited from the broker counts as a change: the topic must
    // keep its policy when it moves to a cluster with other defaults.
    if (pinned && current !== undefined && normalize(setting, current) === normalize(setting, want)) continue;
    const from = current === undefined ? 'unset' : pinned ? current : `${current} (${entry?.origin ?? 'inherited'})`;
    changes.push({ setting, from, to: want });
  }
  return changes;
}

/** How long to wait for an alteration to show in DescribeConfigs. */
const SETTLE_TIMEOUT_MS = 5_000;
const SETTLE_POLL_MS = 100;

/**
 * Waits until the broker describes the new settings. IncrementalAlterConfigs returns
 * once the controller committed them; a broker applies them from the
 * metadata log a moment later, and a run that read the old values right
 * away would report a change that is already done.
 */
async function settled(admin: Admin, topic: DesiredTopic): Promise<boolean> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const described = await describeTopicConfigs(admin, [topic.name], MANAGED_CONFIGS);
    if (configChanges(topic, described.get(topic.name) ?? []).length === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

export async function provisionTopics(admin: Admin, plan: readonly DesiredTopic[], options: ProvisionOptions = {}): Promise<TopicReport[]> {
  const logger = options.logger?.child({ component: 'provision-topics' });
  const dryRun = options.dryRun ?? false;
  const existing = new Set(await admin.listTopics());
  const missing = plan.filter((topic) => !existing.has(topic.name));
  const present = plan.filter((topic) => existing.has(topic.name));
  const reports = new Map<string, TopicReport>();

  if (missing.length > 0 && !dryRun) {
    await createTopicsAndWait(
      admin,
      missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: MANAGED_CONFIGS.map((name) => ({ name, value: topic.configs[name] })),
      })),
    );
  }
  for (const topic of missing) {
    const changes = [
      { setting: 'partitions', from: 'absent', to: String(topic.partitions) },
      ...MANAGED_CONFIGS.map((setting) => ({ setting, from: 'absent', to: topic.configs[setting] })),
    ];
    reports.set(topic.name, { topic: topic.name, action: 'created', changes, problems: [] });
  }

  if (present.length > 0) {
    const counts = await partitionCounts(
      admin,
      present.map((t) => t.name),
    );
    const configsOf = await describeTopicConfigs(
      admin,
      present.map((t) => t.name),
    );

    for (const topic of present) {
      const entries = configsOf.get(topic.name) ?? [];
      const changes: SettingChange[] = [];
      const problems: string[] = [];

      const configDiff = configChanges(topic, entries);
      if (configDiff.length > 0) {
        if (!dryRun) {
          await setTopicConfigs(admin, topic.name, topic.configs);
          if (!(await settled(admin, topic))) {
            problems.push(`was altered, but the broker still describes the old settings after ${SETTLE_TIMEOUT_MS} ms; rerun to check`);
          }
        }
        changes.push(...configDiff);
      }

      const current = counts.get(topic.name) ?? 0;
      if (current < topic.partitions) {
        const change = { setting: 'partitions', from: String(current), to: String(topic.partitions) };
        if (options.allowPartitionIncrease) {
          if (!dryRun) {
            await admin.createPartitions({ topics: [{ name: topic.name, count: topic.partitions }] });
          }
          changes.push(change);
        } else {
          problems.push(
            `has ${current} partitions, ${topic.partitions} declared: adding partitions moves existing keys to other partitions (per-key order and co-partitioning break for them), so it is not done by default; rerun with --allow-partition-increase if that is acceptable (e.g. the topic is empty)`,
          );
        }
      } else if (current > topic.partitions) {
        problems.push(
          `has ${current} partitions, ${topic.partitions} declared: Kafka cannot remove partitions; change the count in lib/topics.ts, or recreate the topic (losing its data)`,
        );
      }

      reports.set(topic.name, { topic: topic.name, action: changes.length > 0 ? 'changed' : 'unchanged', changes, problems });
    }
  }

  const ordered = plan.map((topic) => reports.get(topic.name)).filter((r): r is TopicReport => r !== undefined);
  for (const report of ordered) {
    const fields = { topic: report.topic, action: report.action, changes: report.changes, dryRun };
    if (report.problems.length > 0) logger?.warn({ ...fields, problems: report.problems }, 'topic differs from its declaration');
    else if (report.action !== 'unchanged') logger?.info(fields, dryRun ? 'topic would be provisioned' : 'topic provisioned');
    else logger?.debug(fields, 'topic up to date');
  }
  return ordered;
}
