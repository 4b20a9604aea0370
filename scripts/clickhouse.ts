/**
 * The ClickHouse analytics database from the command line: apply the
 * migrations, see which are applied, and run the documented queries.
 *
 *   scripts/clickhouse migrate [--database <db>]
 *   scripts/clickhouse status  [--database <db>]
 *   scripts/clickhouse query <name> [options] [--json | --sql]
 *
 * Exit code 0 on success, 1 when ClickHouse refused or failed, 2 on a usage error.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '../lib/clients/clickhouse';
import { redactUrl } from '../lib/config/env';
import type { AnalyticsQuery } from '../sinks/clickhouse/analytics-query';
import { appliedMigrations, migrate } from '../sinks/clickhouse/migrate';
import { loadMigrations } from '../sinks/clickhouse/migration-files';
import {
  customerOrderStats,
  customersWithMostAlerts,
  dailySkuSales,
  orderAsOf,
  orderFunnel,
  orderHistory,
  ordersByStatus,
  revenuePerDay,
  runQuery,
  topSkus,
} from '../sinks/clickhouse/queries';
import { EXIT_OK, UsageError, cliContext, columns, parseCli, runCli } from '../lib/cli/cli';

const QUERY_NAMES = [
  'revenue-per-day',
  'daily-sku-sales',
  'top-skus',
  'orders-by-status',
  'order-funnel',
  'customers-with-most-alerts',
  'customer-order-stats',
  'order-as-of',
  'order-history',
] as const;

const USAGE = `usage: scripts/clickhouse <command> [options]
  migrate                       apply pending migrations (creates the database), then list them
  status                        list applied and pending migrations
  query <name>                  run a documented analytics query:
                                  ${QUERY_NAMES.join(', ')}
options:
  --database <db>               database (default: CLICKHOUSE_DATABASE, "streamfold")
  --from <YYYY-MM-DD>           first UTC day (revenue-per-day, daily-sku-sales, top-skus)
  --to <YYYY-MM-DD>             last UTC day, inclusive
  --limit <n>                   rows (top-skus, customers-with-most-alerts, customer-order-stats; default 10)
  --order <id>                  order id (order-as-of, order-history)
  --at <ISO-8601 time>          instant (order-as-of: required; order-history: events up to then)
  --customer <id>               one customer (customer-order-stats)
  --json                        rows as JSON lines
  --sql                         print the query's SQL, do not run it`;

type Values = Record<string, string | boolean | undefined>;

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function required(values: Values, name: string, query: string): string {
  const value = text(values, name);
  if (value === undefined) throw new UsageError(`query ${query} needs --${name}`);
  return value;
}

function instant(value: string, name: string): Date {
  const date = new Date(value);
  if (!/\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be an ISO-8601 time such as 2024-05-01T12:00:00Z, got ${value}`);
  }
  return date;
}

function limitOf(values: Values): number | undefined {
  const value = text(values, 'limit');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--limit must be a positive integer, got ${value}`);
  return Number(value);
}

function buildQuery(name: string, database: string, values: Values): AnalyticsQuery<object> {
  const range = { from: text(values, 'from'), to: text(values, 'to') };
  const limit = limitOf(values);
  switch (name) {
    case 'revenue-per-day':
      return revenuePerDay(database, range);
    case 'daily-sku-sales':
      return dailySkuSales(database, range);
    case 'top-skus':
      return topSkus(database, { ...range, limit });
    case 'orders-by-status':
      return ordersByStatus(database);
    case 'order-funnel':
      return orderFunnel(database);
    case 'customers-with-most-alerts':
      return customersWithMostAlerts(database, { limit });
    case 'customer-order-stats':
      return customerOrderStats(database, { customerId: text(values, 'customer'), limit });
    case 'order-as-of':
      return orderAsOf(database, required(values, 'order', name), instant(required(values, 'at', name), 'at'));
    case 'order-history': {
      const at = text(values, 'at');
      return orderHistory(database, required(values, 'order', name), { upTo: at === undefined ? undefined : instant(at, 'at') });
    }
    default:
      throw new UsageError(`unknown query "${name}": one of ${QUERY_NAMES.join(', ')}`);
  }
}

function cell(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function printRows(rows: readonly object[], json: boolean): void {
  if (json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(no rows)\n');
    return;
  }
  const header = Object.keys(rows[0]!);
  const body = rows.map((row) => header.map((key) => cell((row as Record<string, unknown>)[key])));
  process.stdout.write(`${columns([header, ...body]).join('\n')}\n`);
}

async function status(client: ClickHouseClient, database: string): Promise<void> {
  const files = loadMigrations();
  const exists = await client.query({ query: `EXISTS TABLE ${database}.schema_migrations`, format: 'TabSeparated' });
  const applied = (await exists.text()).trim() === '1' ? await appliedMigrations(client, database) : new Map();
  const lines = files.map((file) => {
    const record = applied.get(file.version);
    const state = record === undefined ? 'pending' : record.checksum === file.checksum ? 'applied' : 'CHANGED since applied';
    return [file.fileName, state];
  });
  process.stdout.write(`${columns(lines).join('\n')}\n`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    database: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    order: { type: 'string' },
    at: { type: 'string' },
    customer: { type: 'string' },
    json: { type: 'boolean' },
    sql: { type: 'boolean' },
  });
  const [command, name, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command: migrate, status or query');
  if (rest.length > 0 || (command !== 'query' && name !== undefined))
    throw new UsageError(`unexpected argument(s): ${positionals.slice(command === 'query' ? 2 : 1).join(' ')}`);
  const { config, logger } = cliContext('clickhouse');
  const database = values.database ?? config.clickhouse.database;

  if (command === 'query') {
    if (name === undefined) throw new UsageError(`query needs a name: ${QUERY_NAMES.join(', ')}`);
    const query = buildQuery(name, database, values);
    if (values.sql) {
      process.stdout.write(`${query.sql};\n`);
      return EXIT_OK;
    }
    const client = createClickHouse(config.clickhouse, 'default');
    try {
      printRows(await runQuery(client, query), values.json ?? false);
    } finally {
      await client.close();
    }
    return EXIT_OK;
  }
  if (command !== 'migrate' && command !== 'status') throw new UsageError(`unknown command "${command}": migrate, status or query`);

  // bound to `default`: the database itself may not exist before the migrations run
  const client = createClickHouse(config.clickhouse, 'default');
  try {
    if (command === 'migrate') {
      const report = await migrate(client, database, { logger });
      process.stdout.write(
        `ClickHouse ${redactUrl(config.clickhouse.url)}, database ${database}: ` +
          `${report.applied.length} applied (${report.applied.map((m) => m.name).join(', ') || 'none'}), ${report.skipped.length} already applied\n`,
      );
    } else {
      await status(client, database);
    }
  } finally {
    await client.close();
  }
  return EXIT_OK;
}

runCli(USAGE, main);
