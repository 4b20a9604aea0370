/**
 * Inserts rows grouped by table: one JSONEachRow insert per table that has
 * rows, in a fixed order. Inserts into different tables are not atomic
 * together; they do not need to be, since every table is replay-safe and a
 * failed batch is retried whole (see migrations/).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseWriteError, classifyClickHouseError } from './insert-errors';
import { sqlIdentifier } from './sql-literals';
import { SINK_TABLES, SinkTable, TableRows } from './tables';

export type InsertCounts = Readonly<Record<SinkTable, number>>;

/** Throws ClickHouseWriteError (kind: unavailable, bad-data or misconfigured) naming the table that failed. */
export async function insertTableRows(client: ClickHouseClient, database: string, rows: TableRows): Promise<InsertCounts> {
  const db = sqlIdentifier(database);
  const counts: Record<SinkTable, number> = { events: 0, payments: 0, order_state: 0, fraud_alerts: 0 };
  for (const table of SINK_TABLES) {
    const values = rows[table];
    if (values.length === 0) continue;
    try {
      await client.insert({ table: `${db}.${table}`, values: [...values], format: 'JSONEachRow' });
    } catch (err) {
      throw new ClickHouseWriteError(`${db}.${table}`, values.length, classifyClickHouseError(err), { cause: err });
    }
    counts[table] = values.length;
  }
  return counts;
}
