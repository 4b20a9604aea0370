/**
 * A documented analytics query: a name, its SQL with every value rendered as
 * a literal (sql-literals.ts), and how to read one result row into a typed
 * object the same way whichever ClickHouse version ran it.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { RawRow, selectRows } from './result-values';

export interface AnalyticsQuery<Row> {
  /** Stable name, as in the README and `scripts/clickhouse.ts query <name>`. */
  readonly name: string;
  readonly sql: string;
  readonly parse: (raw: RawRow) => Row;
}

export async function runQuery<Row>(client: ClickHouseClient, query: AnalyticsQuery<Row>): Promise<Row[]> {
  let rows: RawRow[];
  try {
    rows = await selectRows(client, query.sql);
  } catch (err) {
    throw new Error(`analytics query ${query.name} failed: ${err instanceof Error ? err.message.trim() : String(err)}`, { cause: err });
  }
  return rows.map(query.parse);
}
