/**
 * @clickhouse/client against the project's ClickHouse (18.16 locally):
 * a database of this run, a table, a JSONEachRow insert and a select.
 */
import { createClickHouse } from '../../lib/clients/clickhouse';
import { config, uniqueName } from './support/env';

const database = uniqueName('ch').replace(/-/g, '_');
const admin = createClickHouse(config.clickhouse, 'default');
const clickhouse = createClickHouse(config.clickhouse, database);

beforeAll(async () => {
  await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
});

afterAll(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await Promise.all([admin.close(), clickhouse.close()]);
});

test('creates a table, inserts JSONEachRow rows and selects them back', async () => {
  await clickhouse.command({
    query: `CREATE TABLE orders (
      order_id String,
      customer_id String,
      total_cents Int64,
      placed_at DateTime
    ) ENGINE = MergeTree ORDER BY order_id`,
  });
  await clickhouse.insert({
    table: 'orders',
    format: 'JSONEachRow',
    values: [
      { order_id: 'o-1', customer_id: 'c-1', total_cents: 1999, placed_at: '2024-05-01 10:00:00' },
      { order_id: 'o-2', customer_id: 'c-1', total_cents: 501, placed_at: '2024-05-01 11:30:00' },
      { order_id: 'o-3', customer_id: 'c-2', total_cents: 10000, placed_at: '2024-05-02 09:15:00' },
    ],
  });

  const result = await clickhouse.query({
    query: `SELECT customer_id, count() AS orders, sum(total_cents) AS revenue_cents
            FROM orders GROUP BY customer_id ORDER BY customer_id`,
    format: 'JSONEachRow',
  });
  // 64-bit integers come back as strings in JSON output (they may exceed 2^53)
  expect(await result.json()).toEqual([
    { customer_id: 'c-1', orders: '2', revenue_cents: '2500' },
    { customer_id: 'c-2', orders: '1', revenue_cents: '10000' },
  ]);
});
