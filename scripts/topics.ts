/**
 * Provisions the pipeline's Kafka topics from lib/topics.ts (plus a `.dlq`
 * topic per input). Idempotent: creates what is missing, pins cleanup.policy
 * and retention.ms on existing topics, reports what it cannot fix.
 *
 *   scripts/topics [--prefix <p>] [--dry-run] [--allow-partition-increase]
 *                             [--replication-factor <n>] [--json]
 *
 * Exit code 0 when every topic matches its declaration, 1 when a difference
 * is left (or Kafka is unreachable), 2 on a usage error.
 */
import { createAdmin } from '../lib/kafka/clients';
import { provisionTopics, TopicReport } from '../lib/admin/provision-topics';
import { desiredTopics } from '../lib/admin/topic-plan';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, columns, parseCli, runCli } from '../lib/cli/cli';

const USAGE = `usage: scripts/topics [options]
  --prefix <p>                  provision prefixed copies (<p>orders.events, …), e.g. for tests (default: TOPIC_PREFIX)
  --dry-run                     report what would change, change nothing
  --allow-partition-increase    add partitions to topics that have fewer than declared (moves keys!)
  --replication-factor <n>      for new topics (default: the broker's default.replication.factor)
  --json                        print the report as JSON`;

function describeReport(report: TopicReport): string[] {
  const changes = report.changes.map((c) => (c.from === 'absent' ? `${c.setting} ${c.to}` : `${c.setting}: ${c.from} → ${c.to}`));
  return [report.action, report.topic, changes.join(', ')];
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    prefix: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-partition-increase': { type: 'boolean' },
    'replication-factor': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  const replicationFactor = values['replication-factor'] === undefined ? undefined : Number(values['replication-factor']);
  if (replicationFactor !== undefined && !(Number.isInteger(replicationFactor) && replicationFactor > 0)) {
    throw new UsageError(`--replication-factor must be a positive integer, got ${values['replication-factor']}`);
  }
  const dryRun = values['dry-run'] ?? false;

  const { config, logger } = cliContext('topics');
  const admin = createAdmin(config.kafka, `${config.kafka.clientId}-topics`);
  try {
    // the client connects on its first request: this one says whether Kafka answers at all
    await admin.listTopics();
  } catch (err) {
    await admin.close();
    throw new Error(
      `cannot reach Kafka at ${config.kafka.brokers.join(',')} (KAFKA_BROKERS): ${err instanceof Error ? err.message : String(err)}; is it running (scripts/infra status)?`,
      { cause: err },
    );
  }
  let reports: TopicReport[];
  try {
    reports = await provisionTopics(admin, desiredTopics(undefined, { prefix: values.prefix ?? config.topicPrefix }), {
      dryRun,
      allowPartitionIncrease: values['allow-partition-increase'] ?? false,
      replicationFactor,
      logger,
    });
  } finally {
    await admin.close();
  }

  const problems = reports.flatMap((r) => r.problems.map((problem) => `${r.topic} ${problem}`));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ dryRun, topics: reports }, null, 2)}\n`);
  } else {
    if (dryRun) process.stdout.write('dry run: nothing was changed; "created"/"changed" say what would be done\n');
    process.stdout.write(`${columns(reports.map(describeReport)).join('\n')}\n`);
    for (const problem of problems) process.stdout.write(`NOT FIXED: ${problem}\n`);
    const count = (action: string) => reports.filter((r) => r.action === action).length;
    process.stdout.write(`${count('created')} created, ${count('changed')} changed, ${count('unchanged')} unchanged, ${problems.length} not fixed\n`);
  }
  return problems.length > 0 ? EXIT_FAILED : EXIT_OK;
}

runCli(USAGE, main);
