/**
 * Replay: see where consumer groups are and move them.
 *
 *   scripts/replay groups [--group <id>]... [--json]
 *   scripts/replay reset --group <id> --to <target> [--topic <name>]... [--dry-run] [--json]
 */
import { createAdmin } from '../lib/kafka/clients';
import { consumerLag, totalLag } from '../lib/admin/consumer-lag';
import { assertGroupInactive, committedTopics, describeGroup, GroupActiveError, listConsumerGroups } from '../lib/admin/consumer-groups';
import { applyOffsetReset, OffsetMove, planOffsetReset } from '../lib/admin/offset-reset';
import { describeResetTarget, parseResetTarget, ResetTargetError } from '../lib/admin/reset-target';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, columns, parseCli, runCli } from '../lib/cli/cli';

const USAGE = `usage: scripts/replay groups [--group <id>]... [--json]
       scripts/replay reset --group <id> --to <target> [--topic <name>]... [--dry-run] [--json]
  groups    every consumer group (or those named): state, members, and per partition the
            committed offset, the log end and the lag (scripts/lag adds time lag and levels)
  reset     move a group's committed offsets on its topics (default: every topic it has
            committed on; --topic narrows or adds) so it reads again from there on its next start
  --to      earliest | latest | a time (ISO-8601 with a zone, e.g. 2024-05-01T12:00:00Z, or
            epoch ms: the first record whose Kafka timestamp is at or after it) |
            partition:offset pairs, e.g. 0:120,3:0 (only those partitions move)
  --dry-run print what would move, change nothing
The group must have no active members: stop its service first (scripts/services stop <name>).
Exit code: 0 done, 1 refused or failed (the reason is printed), 2 usage error.`;

function movesTable(moves: readonly OffsetMove[]): string {
  const rows = [['TOPIC', 'PARTITION', 'FROM', 'TO', 'RE-READ']];
  for (const m of moves) rows.push([m.topic, String(m.partition), m.from === null ? '-' : String(m.from), String(m.to), String(m.delta)]);
  return columns(rows).join('\n');
}

async function groupsCommand(groupIds: readonly string[] | undefined, json: boolean): Promise<number> {
  const { config } = cliContext('replay');
  const admin = createAdmin(config.kafka, 'replay');
  try {
    const groups = groupIds ? await Promise.all(groupIds.map((id) => describeGroup(admin, id))) : await listConsumerGroups(admin);
    if (groups.length === 0) process.stdout.write('no consumer groups\n');
    for (const group of groups) {
      const lags = await consumerLag(admin, group.groupId, await committedTopics(admin, group.groupId));
      if (json) {
        process.stdout.write(`${JSON.stringify({ ...group, partitions: lags })}\n`);
        continue;
      }
      process.stdout.write(`${group.groupId}  state ${group.state}, ${group.members} member(s), lag ${totalLag(lags)}\n`);
      const rows = [['  TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG']];
      for (const l of lags) rows.push([`  ${l.topic}`, String(l.partition), l.committed === null ? '-' : String(l.committed), String(l.end), String(l.lag)]);
      process.stdout.write(`${lags.length > 0 ? columns(rows).join('\n') : '  no committed offsets'}\n\n`);
    }
    return EXIT_OK;
  } finally {
    await admin.close();
  }
}

interface ResetArgs {
  readonly group: string;
  readonly to: string;
  readonly topics: readonly string[] | undefined;
  readonly dryRun: boolean;
  readonly json: boolean;
}

async function resetCommand(args: ResetArgs): Promise<number> {
  const target = parseResetTarget(args.to);
  const { config } = cliContext('replay');
  const admin = createAdmin(config.kafka, 'replay');
  try {
    const topics = args.topics ?? (await committedTopics(admin, args.group));
    if (topics.length === 0) {
      throw new UsageError(`group ${args.group} has no committed offsets: name the topics it should read with --topic`);
    }
    let refusal: string | null = null;
    try {
      await assertGroupInactive(admin, args.group, `stop its consumers (for the pipeline's own services: scripts/services stop <name>)`);
    } catch (error) {
      if (!(error instanceof GroupActiveError)) throw error;
      refusal = error.message;
    }
    const moves = await planOffsetReset(admin, args.group, topics, target);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ group: args.group, target: describeResetTarget(target), dryRun: args.dryRun, refused: refusal, moves })}\n`);
    } else {
      process.stdout.write(`${args.dryRun ? 'would reset' : 'resetting'} ${args.group} to ${describeResetTarget(target)}:\n${movesTable(moves)}\n`);
    }
    if (refusal !== null) {
      process.stderr.write(`refused: ${refusal}\n`);
      return EXIT_FAILED;
    }
    if (args.dryRun) return EXIT_OK;
    await applyOffsetReset(admin, args.group, moves);
    if (!args.json) process.stdout.write(`done: ${args.group} reads from these offsets on its next start\n`);
    return EXIT_OK;
  } finally {
    await admin.close();
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    group: { type: 'string', multiple: true },
    topic: { type: 'string', multiple: true },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const json = values.json ?? false;
  if (command === 'groups') {
    if (values.to !== undefined || values.topic !== undefined || values['dry-run']) throw new UsageError('--to, --topic and --dry-run go with reset');
    return groupsCommand(values.group, json);
  }
  if (command !== 'reset')
    throw new UsageError(command === undefined ? 'say what to do: groups or reset' : `unknown command ${JSON.stringify(command)}: groups or reset`);
  const [group, ...moreGroups] = values.group ?? [];
  if (group === undefined || moreGroups.length > 0) throw new UsageError('reset takes exactly one --group');
  if (values.to === undefined) throw new UsageError('reset needs --to: earliest, latest, a time or partition:offset pairs');
  try {
    return await resetCommand({ group, to: values.to, topics: values.topic, dryRun: values['dry-run'] ?? false, json });
  } catch (error) {
    if (error instanceof ResetTargetError) throw new UsageError(error.message);
    throw error;
  }
}

runCli(USAGE, main);
