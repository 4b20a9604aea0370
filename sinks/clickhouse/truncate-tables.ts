/**
 * Empties the analytics tables of a database (rows only: the schema and the
 * migrations record stay), so a replay of the log can fill them again.
 * Materialized views write into tables of their own, emptied with the rest.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { MIGRATIONS_TABLE } from './migrate';
import { selectRows, stringColumn } from './result-values';
import { sqlIdentifier, sqlString } from './sql-literals';

/** Returns the tables it emptied. */
export async function truncateTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const rows = await selectRows(
    client,
    `SELECT name FROM system.tables WHERE database = ${sqlString(database)} AND engine LIKE '%MergeTree' AND name != ${sqlString(MIGRATIONS_TABLE)} ORDER BY name`,
  );
  const tables = rows.map((row) => stringColumn(row, 'name', `system.tables of ${database}`));
  for (const table of tables) {
    await client.command({ query: `TRUNCATE TABLE ${sqlIdentifier(database)}.${sqlIdentifier(table)}` });
  }
  return tables;
}
