/**
 * The same SQL on current ClickHouse: every migration and every documented
 * analytics query run on chDB (npm `chdb`, a current ClickHouse engine
 * in-process, installed by scripts/ensure-chdb) against the same rows as on
 * the project's 18.16 server, inserted twice on both, and the answers must
 * be identical, and equal to what the events and the fold say.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { migrate } from '../../sinks/clickhouse/migrate';
import { loadMigrations } from '../../sinks/clickhouse/migration-files';
import { selectRows } from '../../sinks/clickhouse/result-values';
import { sqlString } from '../../sinks/clickhouse/sql-literals';
import { CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL, buildClickHouseDataset } from '../fixtures/clickhouse-dataset';
import {
  expectedCustomerOrderStats,
  expectedCustomersWithMostAlerts,
  expectedDailySkuSales,
  expectedOrderAsOf,
  expectedOrderFunnel,
  expectedOrdersByStatus,
  expectedRevenuePerDay,
  expectedTopSkus,
} from '../fixtures/clickhouse-expected';
import { chdbPackageVersion, createChdbClient } from './support/chdb';
import { AnalyticsResults, TOP_LIMIT, orderProbes, runDocumentedQueries, writeInBatches } from './support/clickhouse-analytics';
import { config, uniqueName } from './support/env';

const database = uniqueName('chcur').replace(/-/g, '_');
const server: ClickHouseClient = createClickHouse(config.clickhouse, 'default');
let chdb: ClickHouseClient;

const dataset = buildClickHouseDataset(CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL);
const probes = orderProbes(dataset, 12);
const firstDay = dataset.events[0]!.value.envelope.occurredAt.toISOString().slice(0, 10);

const plain = (results: AnalyticsResults): unknown => JSON.parse(JSON.stringify(results));

async function versionOf(client: ClickHouseClient): Promise<string> {
  const rows = await selectRows(client, 'SELECT version() AS v');
  return String(rows[0]!['v']);
}

beforeAll(() => {
  chdb = createChdbClient();
});

afterAll(async () => {
  await server.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await Promise.all([server.close(), chdb?.close()]);
});

test('the engines are what this test claims: 18.16 on the server, a current ClickHouse in chDB', async () => {
  expect(await versionOf(server)).toMatch(/^18\.16\./);
  const current = await versionOf(chdb);
  const major = Number(current.split('.')[0]);
  expect(major).toBeGreaterThanOrEqual(24);
  process.stdout.write(`chDB ${chdbPackageVersion()} runs ClickHouse ${current}\n`);
});

test('every migration applies on chDB, and reruns as a no-op', async () => {
  const files = loadMigrations();
  const first = await migrate(chdb, database);
  expect(first.applied.map((m) => m.name)).toEqual(files.map((f) => f.name));
  expect((await migrate(chdb, database)).applied).toEqual([]);
  // the same tables as on the server
  await migrate(server, database);
  const tables = (client: ClickHouseClient) =>
    selectRows(client, `SELECT name, engine FROM system.tables WHERE database = ${sqlString(database)} ORDER BY name`);
  expect(await tables(chdb)).toEqual(await tables(server));
});

test('every documented query answers the same on chDB as on 18.16, after one insert and after a replay', async () => {
  expect(await writeInBatches(chdb, database, dataset.records, 2000)).toEqual([]);
  expect(await writeInBatches(server, database, dataset.records, 2000)).toEqual([]);
  const onChdb = await runDocumentedQueries(chdb, database, probes, firstDay);
  const onServer = await runDocumentedQueries(server, database, probes, firstDay);
  expect(plain(onChdb)).toEqual(plain(onServer));

  // and both are right, not merely equal
  expect(onChdb.revenuePerDay).toEqual(expectedRevenuePerDay(dataset));
  expect(onChdb.dailySkuSales).toEqual(expectedDailySkuSales(dataset));
  expect(onChdb.topSkus).toEqual(expectedTopSkus(dataset, TOP_LIMIT));
  expect(onChdb.ordersByStatus).toEqual(expectedOrdersByStatus(dataset));
  expect(onChdb.orderFunnel).toEqual([expectedOrderFunnel(dataset)]);
  expect(onChdb.customersWithMostAlerts).toEqual(expectedCustomersWithMostAlerts(dataset, TOP_LIMIT));
  expect(onChdb.customerOrderStats).toEqual(expectedCustomerOrderStats(dataset, TOP_LIMIT));
  for (const { orderId, at, row } of onChdb.ordersAsOf) {
    expect({ orderId, at, row }).toEqual({ orderId, at, row: expectedOrderAsOf(dataset, orderId, new Date(at)) });
  }

  // a replay on chDB, in other batches
  expect(await writeInBatches(chdb, database, dataset.records, 999)).toEqual([]);
  expect(plain(await runDocumentedQueries(chdb, database, probes, firstDay))).toEqual(plain(onServer));
});

test('string literals round-trip on chDB as on 18.16', async () => {
  const tricky = ["O'Brien", 'back\\slash', "\\'", 'tab\tnew\nline\r', 'nul\0', 'café ✓ 注文 🚚', "'; DROP DATABASE x; --"];
  const sql = `SELECT ${tricky.map((s, i) => `${sqlString(s)} AS s${i}`).join(', ')}`;
  const [onChdb] = await selectRows(chdb, sql);
  const [onServer] = await selectRows(server, sql);
  expect(tricky.map((_, i) => onChdb![`s${i}`])).toEqual(tricky);
  expect(onChdb).toEqual(onServer);
});
