/**
 * Offset lag and time lag of consumer groups, per partition, with a level.
 *
 *   scripts/lag [--group <id>]... [--watch <seconds>] [--json]
 */
import { createAdmin } from '../lib/kafka/clients';
import { committedTopics, listConsumerGroups } from '../lib/admin/consumer-groups';
import { LAG_LEVEL_BOUNDS_MS, LagLevel, worstLevel } from '../lib/admin/lag-level';
import { totalLag } from '../lib/admin/consumer-lag';
import { groupTimeLag, PartitionTimeLag } from '../lib/admin/time-lag';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, columns, parseCli, runCli } from '../lib/cli/cli';

const USAGE = `usage: scripts/lag [--group <id>]... [--watch <seconds>] [--json]
  Offset lag (records not yet committed) and time lag (age of the oldest of them) of every
  consumer group, or of the groups named, per topic and partition, with a level:
    normal < ${LAG_LEVEL_BOUNDS_MS.normal} ms ≤ warning < ${LAG_LEVEL_BOUNDS_MS.warning / 1000} s ≤ critical < ${LAG_LEVEL_BOUNDS_MS.critical / 1000} s ≤ emergency
  --watch  print again every <seconds> until interrupted
  --json   one JSON object per partition
Exit code: 0 when every group is normal or warning, 1 when one is critical or in emergency, 2 usage error.
Offset lag counts transaction markers too, so a transactional topic can show lag 1 at time lag 0.`;

const SERIOUS: ReadonlySet<LagLevel> = new Set(['critical', 'emergency']);

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;
}

function table(rows: readonly PartitionTimeLag[]): string {
  const lines = [['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG', 'TIME LAG', 'LEVEL']];
  for (const r of rows) {
    lines.push([
      r.groupId,
      r.topic,
      String(r.partition),
      r.committed === null ? '-' : String(r.committed),
      String(r.end),
      String(r.lag),
      formatMs(r.timeLagMs),
      r.level,
    ]);
  }
  return columns(lines).join('\n');
}

function summary(rows: readonly PartitionTimeLag[]): string {
  const byGroup = new Map<string, PartitionTimeLag[]>();
  for (const r of rows) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
  return [...byGroup]
    .map(([group, lags]) => {
      const worst = lags.reduce((a, b) => (b.timeLagMs > a.timeLagMs ? b : a));
      return `${group}: ${worstLevel(lags.map((l) => l.level))} (lag ${totalLag(lags)} records, oldest ${formatMs(worst.timeLagMs)})`;
    })
    .join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    group: { type: 'string', multiple: true },
    watch: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  const watchSeconds = values.watch === undefined ? null : Number(values.watch);
  if (watchSeconds !== null && !(watchSeconds > 0)) throw new UsageError(`--watch takes seconds > 0, got ${values.watch}`);

  const { config, logger } = cliContext('lag');
  const kafka = { ...config.kafka, clientId: 'lag' };
  const admin = createAdmin(kafka, 'lag');
  try {
    for (;;) {
      const groups = values.group ?? (await listConsumerGroups(admin)).map((g) => g.groupId);
      const rows: PartitionTimeLag[] = [];
      for (const group of groups) rows.push(...(await groupTimeLag(kafka, admin, group, await committedTopics(admin, group), logger)));
      if (values.json) {
        for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      } else if (rows.length === 0) {
        process.stdout.write(values.group ? `no committed offsets for ${values.group.join(', ')}\n` : 'no consumer groups with committed offsets\n');
      } else {
        process.stdout.write(`${new Date().toISOString()}\n${table(rows)}\n\n${summary(rows)}\n`);
      }
      const serious = rows.some((r) => SERIOUS.has(r.level));
      if (watchSeconds === null) return serious ? EXIT_FAILED : EXIT_OK;
      await new Promise((resolve) => setTimeout(resolve, watchSeconds * 1000));
      if (!values.json) process.stdout.write('\n');
    }
  } finally {
    await admin.close();
  }
}

runCli(USAGE, main);
