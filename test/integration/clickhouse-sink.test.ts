/**
 * The ClickHouse sink on the project's server (ClickHouse 18.16 locally):
 * migrations, the writer, and every documented analytics query against
 * rows from a generated stream, inserted once and then again (a replay, a
 * redelivery in other batches, older states after newer ones, merges).
 * Answers must equal what the events and the pure fold say, every time.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { TOPIC } from '../../lib/topics';
import { foldOrder } from '../../lib/domain/orders/fold';
import { ClickHouseWriteError } from '../../sinks/clickhouse/insert-errors';
import { migrate } from '../../sinks/clickhouse/migrate';
import { loadMigrations, migrationFromText } from '../../sinks/clickhouse/migration-files';
import { toAggregateEvents } from '../../sinks/clickhouse/order-history';
import { selectRows } from '../../sinks/clickhouse/result-values';
import type { ConsumedRecord } from '../../sinks/clickhouse/rows';
import { sqlString } from '../../sinks/clickhouse/sql-literals';
import { writeRecords } from '../../sinks/clickhouse/write-records';
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
import { AnalyticsResults, TOP_LIMIT, orderProbes, runDocumentedQueries, writeInBatches } from './support/clickhouse-analytics';
import { config, uniqueName } from './support/env';

const database = uniqueName('chsink').replace(/-/g, '_');
const client: ClickHouseClient = createClickHouse(config.clickhouse, 'default');

const dataset = buildClickHouseDataset(CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL);
const probes = orderProbes(dataset, 12);
const firstDay = dataset.events[0]!.value.envelope.occurredAt.toISOString().slice(0, 10);
const SINK_TABLES = ['events', 'payments', 'order_state', 'fraud_alerts', 'sku_daily_sales', 'customer_order_stats'];

let afterOneInsert: AnalyticsResults;

beforeAll(async () => {
  await migrate(client, database);
});

afterAll(async () => {
  await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await client.close();
});

function clientOptions() {
  return { url: config.clickhouse.url, username: config.clickhouse.username, password: config.clickhouse.password };
}

/** Results as plain JSON, so Dates and numbers compare by value. */
const plain = (results: AnalyticsResults): unknown => JSON.parse(JSON.stringify(results));

describe('migrations', () => {
  test('apply once, in order, and rerun as a no-op', async () => {
    const fresh = uniqueName('chmig').replace(/-/g, '_');
    try {
      const first = await migrate(client, fresh);
      const files = loadMigrations();
      expect(first.applied.map((m) => m.version)).toEqual(files.map((f) => f.version));
      const again = await migrate(client, fresh);
      expect(again.applied).toEqual([]);
      expect(again.skipped.map((m) => m.name)).toEqual(files.map((f) => f.name));
      const tables = await selectRows(client, `SELECT name FROM system.tables WHERE database = ${sqlString(fresh)} ORDER BY name`);
      expect(tables.map((t) => t['name'])).toEqual([...SINK_TABLES, 'customer_order_stats_mv', 'schema_migrations', 'sku_daily_sales_mv'].sort());
      const recorded = await selectRows(client, `SELECT version, name, checksum FROM ${fresh}.schema_migrations ORDER BY version`);
      expect(recorded.map((r) => r['checksum'])).toEqual(files.map((f) => f.checksum));
    } finally {
      await client.command({ query: `DROP DATABASE IF EXISTS ${fresh}` });
    }
  });

  test('an applied migration whose file changed is refused, naming the file', async () => {
    const edited = loadMigrations().map((m) => (m.version === 3 ? migrationFromText(m.fileName, `${m.sql}\n-- edited`) : m));
    await expect(migrate(client, database, { migrations: edited })).rejects.toThrow(
      new RegExp(`migration 003_payments\\.sql was changed after it was applied to database ${database}`),
    );
  });
});

describe('a generated stream in ClickHouse', () => {
  test('every documented query answers what the events and the fold say', async () => {
    expect(dataset.rejected).toBe(0);
    expect(await writeInBatches(client, database, dataset.records, 2000)).toEqual([]);
    afterOneInsert = await runDocumentedQueries(client, database, probes, firstDay);

    expect(afterOneInsert.revenuePerDay).toEqual(expectedRevenuePerDay(dataset));
    expect(afterOneInsert.revenueFirstDay).toEqual(expectedRevenuePerDay(dataset).filter((d) => d.day === firstDay));
    expect(afterOneInsert.dailySkuSales).toEqual(expectedDailySkuSales(dataset));
    expect(afterOneInsert.topSkus).toEqual(expectedTopSkus(dataset, TOP_LIMIT));
    expect(afterOneInsert.ordersByStatus).toEqual(expectedOrdersByStatus(dataset));
    expect(afterOneInsert.orderFunnel).toEqual([expectedOrderFunnel(dataset)]);
    expect(afterOneInsert.customersWithMostAlerts).toEqual(expectedCustomersWithMostAlerts(dataset, TOP_LIMIT));
    expect(afterOneInsert.customerOrderStats).toEqual(expectedCustomerOrderStats(dataset, TOP_LIMIT));

    // the data is rich enough to mean something
    expect(afterOneInsert.ordersByStatus.map((s) => s.status)).toEqual(['CANCELLED', 'CONFIRMED', 'DELIVERED', 'PLACED', 'SHIPPED']);
    expect(new Set(afterOneInsert.revenuePerDay.map((d) => d.day)).size).toBeGreaterThanOrEqual(3);
    expect(afterOneInsert.revenuePerDay.some((d) => d.refunds > 0)).toBe(true);
    expect(afterOneInsert.customersWithMostAlerts.length).toBeGreaterThan(0);
  });

  test('the state of an order at a point in time, from the events table, is the fold of its events up to then', () => {
    expect(afterOneInsert.ordersAsOf.length).toBeGreaterThan(100);
    for (const { orderId, at, row } of afterOneInsert.ordersAsOf) {
      expect({ orderId, at, row }).toEqual({ orderId, at, row: expectedOrderAsOf(dataset, orderId, new Date(at)) });
    }
    // and the statuses probed go through a whole lifecycle
    expect(new Set(afterOneInsert.ordersAsOf.map((p) => p.row?.status ?? null))).toEqual(
      new Set([null, 'PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED']),
    );
  });

  test("an order's audit trail holds each event once, and folds back to the order's state", () => {
    for (const { orderId, events } of afterOneInsert.histories) {
      const original = dataset.events.filter((e) => e.value.envelope.aggregateId === orderId);
      expect(events.map((e) => e.eventId).sort()).toEqual(original.map((e) => e.value.envelope.eventId).sort());
      const fold = foldOrder(toAggregateEvents(events));
      expect(fold.rejections).toEqual([]);
      expect(fold.state).toEqual(dataset.states.get(orderId));
    }
  });

  test('a replay, a redelivery in other batches, stale states after new ones, and merges change no answer', async () => {
    // replay from the earliest offset, in smaller batches
    expect(await writeInBatches(client, database, dataset.records, 777)).toEqual([]);
    expect(plain(await runDocumentedQueries(client, database, probes, firstDay))).toEqual(plain(afterOneInsert));

    // a redelivery of the second half, newest first: every order's older states arrive after its newer ones
    const secondHalf = dataset.records.slice(Math.floor(dataset.records.length / 2)).reverse();
    expect(await writeInBatches(client, database, secondHalf, 1500)).toEqual([]);
    expect(plain(await runDocumentedQueries(client, database, probes, firstDay))).toEqual(plain(afterOneInsert));

    // duplicates are really there until merges: queries did not just get lucky
    const raw = await selectRows(client, `SELECT count() AS n FROM ${database}.events`);
    expect(Number(raw[0]!['n'])).toBeGreaterThan(dataset.events.length);

    for (const table of SINK_TABLES) await client.command({ query: `OPTIMIZE TABLE ${database}.${table} FINAL` });
    expect(plain(await runDocumentedQueries(client, database, probes, firstDay))).toEqual(plain(afterOneInsert));
    const merged = await selectRows(client, `SELECT count() AS n FROM ${database}.events`);
    expect(Number(merged[0]!['n'])).toBe(dataset.events.length);
  });
});

describe('the writer on a real server', () => {
  test('a record whose values do not fit is rejected, the rest of its batch is written', async () => {
    const good: ConsumedRecord = dataset.records.find((r) => r.value?.type === 'OrderConfirmed')!;
    const badState: ConsumedRecord = {
      topic: TOPIC.orderState,
      partition: 0,
      offset: '999999',
      value: { type: 'OrderState', value: { ...[...dataset.states.values()][0]!, paymentVersion: 1_000_000 } },
    };
    const result = await writeRecords(client, database, [good, badState]);
    expect(result.written).toBe(1);
    expect(result.rejected.map((r) => r.record)).toEqual([badState]);
    expect(result.rejected[0]!.error.message).toMatch(/paymentVersion is 1000000/);
  });

  test('tables that do not exist (migrations not applied) are a retryable misconfiguration, not bad data', async () => {
    // the client logs every failed request; this failure is the point of the test
    const quiet = createClient({ ...clientOptions(), log: { level: ClickHouseLogLevel.OFF } });
    try {
      const attempt = writeRecords(quiet, uniqueName('nodb').replace(/-/g, '_'), dataset.records.slice(0, 10));
      await expect(attempt).rejects.toBeInstanceOf(ClickHouseWriteError);
      await expect(attempt).rejects.toMatchObject({ kind: 'misconfigured', retryable: true, code: 81 });
    } finally {
      await quiet.close();
    }
  });

  test('a server that does not answer is unavailable (retry), and nothing is rejected', async () => {
    const down = createClient({ ...clientOptions(), url: 'http://127.0.0.1:9', request_timeout: 2000, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await expect(writeRecords(down, database, dataset.records.slice(0, 10))).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
    } finally {
      await down.close();
    }
  });

  test('string literals round-trip through 18.16: quotes, backslashes, control characters, unicode', async () => {
    const tricky = ["O'Brien", 'back\\slash', "\\'", 'tab\tnew\nline\r', 'nul\0', 'café ✓ 注文 🚚', "'; DROP DATABASE x; --"];
    const rows = await selectRows(client, `SELECT ${tricky.map((s, i) => `${sqlString(s)} AS s${i}`).join(', ')}`);
    expect(tricky.map((_, i) => rows[0]![`s${i}`])).toEqual(tricky);
  });
});
