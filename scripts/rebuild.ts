/**
 * Rebuilds a projection from the log: clears it, resets its service's
 * consumer group to the earliest offsets, runs the service until it has
 * caught up, then keeps it running live or stops it.
 *
 *   scripts/rebuild <redis|clickhouse|validator|order-aggregator|fraud-detector> [--exit] [--yes]
 */
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { assertGroupInactive, committedTopics, listConsumerGroups } from '../lib/admin/consumer-groups';
import { applyOffsetReset, planOffsetReset } from '../lib/admin/offset-reset';
import { positionKey } from '../lib/admin/record-timestamps';
import { requireTopics } from '../lib/admin/require-topics';
import { createAdmin, type Admin } from '../lib/kafka/clients';
import { topicOffsets } from '../lib/kafka/topic-offsets';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, parseCli, runCli } from '../lib/cli/cli';
import { waitForCatchUp } from './rebuild-steps/catch-up';
import { formatProgress, RebuildProgress } from './rebuild-steps/progress';
import { ROOT, startServiceProcess } from './rebuild-steps/service-process';
import { isTargetName, RebuildTarget, rebuildTarget, TARGET_NAMES } from './rebuild-steps/targets';

const USAGE = `usage: scripts/rebuild <${TARGET_NAMES.join('|')}> [--exit] [--yes]
  Clears a projection and builds it again from the log:
    redis, clickhouse    every key under the sink's key prefix / every row of the analytics tables
    <processor>          its changelogs and output topics (deleted and created again, empty)
  then resets the service's consumer group to the earliest offsets of its inputs, runs the
  service until it has caught up with the end of its inputs as of the start (progress on
  stderr: records, rate, ETA), and keeps it running live in the foreground (Ctrl-C stops it
  gracefully), or with --exit stops it once caught up.
  --yes   no confirmation prompt (needed when stdin is not a terminal)
The service's consumer group must have no active members: stop it first (scripts/services stop
<service>) and start it again afterwards unless it runs live here. Rebuilding a processor also
resets the groups that read its output topics (they must be stopped too); a stateful processor
among them (the fraud detector after the validator) must then be rebuilt as well. Dead letters
are written again by a processor rebuild. The service's log: .infra/logs/rebuild/<service>.log.
Exit code: 0 rebuilt, 1 refused or failed (the reason is printed), 2 usage error.`;

interface Downstream {
  readonly group: string;
  readonly topics: string[];
}

/** Groups (other than the target's) with offsets on the topics a processor rebuild empties. */
async function downstreamGroups(admin: Admin, target: RebuildTarget): Promise<Downstream[]> {
  if (target.derivedTopics.length === 0) return [];
  const found: Downstream[] = [];
  for (const { groupId } of await listConsumerGroups(admin)) {
    if (groupId === target.group) continue;
    const topics = (await committedTopics(admin, groupId)).filter((t) => target.derivedTopics.includes(t));
    if (topics.length > 0) found.push({ group: groupId, topics });
  }
  return found;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError('this clears data: confirm with --yes when not running in a terminal');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`${question} Type yes to go on: `)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

function progressReporter(): (progress: RebuildProgress) => void {
  let lastLine = 0;
  return (progress) => {
    const line = formatProgress(progress);
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}`);
      if (progress.done >= progress.total) process.stderr.write('\n');
    } else if (Date.now() - lastLine >= 5_000 || progress.done >= progress.total) {
      lastLine = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), { exit: { type: 'boolean' }, yes: { type: 'boolean' } });
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`say what to rebuild: ${TARGET_NAMES.join(', ')}`);
  if (!isTargetName(name)) throw new UsageError(`cannot rebuild ${JSON.stringify(name)}: choose one of ${TARGET_NAMES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);

  const { config, logger } = cliContext('rebuild');
  let admin = createAdmin(config.kafka, 'rebuild');
  try {
    const target = rebuildTarget(name, config, logger);
    await requireTopics(admin, [...target.inputs, ...target.derivedTopics], `rebuilding ${name}`, config.topicPrefix);
    await assertGroupInactive(admin, target.group, `stop the ${target.service} service first (scripts/services stop ${target.service})`);
    const downstream = await downstreamGroups(admin, target);
    for (const d of downstream) await assertGroupInactive(admin, d.group, `it reads ${d.topics.join(', ')}, which this rebuild empties: stop it first`);

    const plan = [
      `rebuild ${name}: clears ${target.clears};`,
      `resets group ${target.group} to the earliest offsets of ${target.inputs.join(', ')}`,
      ...downstream.map((d) => `and group ${d.group} to the start of ${d.topics.join(', ')}`),
    ].join('\n  ');
    process.stdout.write(`${plan}\n`);
    if (!values.yes && !(await confirm('This deletes data that only the log can give back.'))) {
      process.stdout.write('nothing changed\n');
      return EXIT_FAILED;
    }

    process.stdout.write(`${await target.clear(admin)}\n`);
    if (target.derivedTopics.length > 0) {
      // a client that knew the deleted topics keeps their old leaders in its metadata: start afresh
      await admin.close();
      admin = createAdmin(config.kafka, 'rebuild');
    }
    const moves = await planOffsetReset(admin, target.group, target.inputs, { kind: 'earliest' });
    await applyOffsetReset(admin, target.group, moves);
    const start = new Map(moves.map((m) => [positionKey(m.topic, m.partition), m.to]));
    const ends = new Map<string, number>();
    for (const topic of target.inputs) {
      for (const o of await topicOffsets(admin, topic)) ends.set(positionKey(topic, o.partition), o.high);
    }
    for (const d of downstream) {
      await applyOffsetReset(admin, d.group, await planOffsetReset(admin, d.group, d.topics, { kind: 'earliest' }));
      const stale = TARGET_NAMES.map((n) => rebuildTarget(n, config, logger)).find((t) => t.stateful && t.group === d.group);
      process.stdout.write(
        `reset ${d.group} to the start of ${d.topics.join(', ')}${stale ? `: its state came from the old topic, rebuild it next (scripts/rebuild ${stale.name})` : ''}\n`,
      );
    }

    const logFile = path.join(process.env['INFRA_DIR'] ?? path.join(ROOT, '.infra'), 'logs', 'rebuild', `${target.service}.log`);
    const service = startServiceProcess(target.main, logFile);
    process.stdout.write(`running ${target.service} (log: ${logFile})\n`);
    let done: RebuildProgress;
    try {
      done = await waitForCatchUp({
        admin,
        group: target.group,
        topics: target.inputs,
        start,
        ends,
        onProgress: progressReporter(),
        workerStopped: service.exited,
      });
    } catch (error) {
      await service.stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}; the service's last log lines:\n${service.tail()}`, { cause: error });
    }
    const seconds = done.elapsedMs / 1000;
    process.stdout.write(`rebuilt ${name}: ${done.total} input records in ${seconds.toFixed(1)} s (${Math.round(done.total / Math.max(seconds, 0.001))}/s)\n`);

    if (values.exit) {
      await service.stop();
      process.stdout.write(`stopped ${target.service}; start it again with scripts/services start\n`);
      return EXIT_OK;
    }
    process.stdout.write(`${target.service} keeps running live; Ctrl-C stops it gracefully\n`);
    let signalled = false;
    const stop = () => {
      signalled = true;
      void service.stop();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const how = await service.exited;
    process.stdout.write(`${how}\n`);
    return signalled ? EXIT_OK : EXIT_FAILED;
  } finally {
    await admin.close();
  }
}

runCli(USAGE, main);
