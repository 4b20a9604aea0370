/**
 * The ClickHouse ceiling for a sink benchmark: the very rows the sink would
 * insert for the input (mapped beforehand, outside the clock), inserted with
 * @clickhouse/client directly (JSONEachRow, one insert per table per batch
 * of the sink's size, one batch after another) into freshly migrated tables.
 * No Kafka, no decoding: what the server and the client's serialization
 * allow on this machine.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { insertTableRows } from '../clickhouse/insert';
import { ConsumedRecord, rowsForRecord } from '../clickhouse/rows';
import { concatRows, rowCount, TableRows } from '../clickhouse/tables';

export interface InsertTiming {
  readonly records: number;
  readonly rows: number;
  readonly seconds: number;
  /** Input records per second (the unit the sink is measured in). */
  readonly perSecond: number;
}

/** The rows of each batch of `batchSize` records, as the sink's writer would build them. */
export function batchRows(records: readonly ConsumedRecord[], batchSize: number): TableRows[] {
  const batches: TableRows[] = [];
  for (let i = 0; i < records.length; i += batchSize) batches.push(concatRows(records.slice(i, i + batchSize).map(rowsForRecord)));
  return batches;
}

/** Inserts the batches into `database` (already migrated), timed. */
export async function measureInsertCeiling(client: ClickHouseClient, database: string, batches: readonly TableRows[], records: number): Promise<InsertTiming> {
  const startedAt = performance.now();
  let rows = 0;
  for (const batch of batches) {
    await insertTableRows(client, database, batch);
    rows += rowCount(batch);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  return { records, rows, seconds, perSecond: records / seconds };
}
