/**
 * The ClickHouse writer's core, for the sink runtime's adapter: decoded
 * records in, rows inserted, the records that cannot be stored handed back
 * for the dead-letter topic.
 *
 *   const result = await writeRecords(client, database, records);
 *   // result.rejected → DLQ; then commit the batch's offsets
 *   // a thrown ClickHouseWriteError → nothing written for sure: retry later, commit nothing
 *
 * A record is rejected when its value does not fit the tables (found while
 * mapping, before anything is sent) or when ClickHouse refuses its values.
 * In the second case the insert that failed held many records, so the batch
 * is split in halves and each half inserted again, down to the single
 * records at fault. Re-inserting what may already have been written is
 * harmless: every table is replay-safe, which is also why retrying a whole
 * batch after `unavailable` is.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseWriteError } from './insert-errors';
import { insertTableRows } from './insert';
import { RowMappingError } from './row-values';
import { ConsumedRecord, rowsForRecord } from './rows';
import { TableRows, concatRows, rowCount } from './tables';

export interface RejectedRecord<R> {
  readonly record: R;
  /** What was wrong, naming the record (topic[partition]@offset) and the field or the server's message. */
  readonly error: Error;
}

export interface WriteRecordsResult<R> {
  /** Records whose rows are in ClickHouse (including those that map to no row, such as tombstones). */
  readonly written: number;
  /** Rows inserted, all tables together, counting re-inserts while isolating bad records. */
  readonly rows: number;
  readonly rejected: readonly RejectedRecord<R>[];
}

interface Mapped<R> {
  readonly record: R;
  readonly rows: TableRows;
}

async function insertIsolating<R>(client: ClickHouseClient, database: string, batch: readonly Mapped<R>[], rejected: RejectedRecord<R>[]): Promise<number> {
  const rows = concatRows(batch.map((m) => m.rows));
  if (rowCount(rows) === 0) return 0;
  try {
    await insertTableRows(client, database, rows);
    return rowCount(rows);
  } catch (err) {
    if (!(err instanceof ClickHouseWriteError) || err.kind !== 'bad-data') throw err;
    if (batch.length === 1) {
      rejected.push({ record: batch[0]!.record, error: err });
      return 0;
    }
    const middle = Math.ceil(batch.length / 2);
    const first = await insertIsolating(client, database, batch.slice(0, middle), rejected);
    return first + (await insertIsolating(client, database, batch.slice(middle), rejected));
  }
}

/**
 * Maps and inserts a batch (one insert per table when all is well). Throws
 * ClickHouseWriteError when ClickHouse is unavailable or misconfigured
 * (err.retryable): the caller retries the whole batch later.
 */
export async function writeRecords<R extends ConsumedRecord>(
  client: ClickHouseClient,
  database: string,
  records: readonly R[],
): Promise<WriteRecordsResult<R>> {
  const rejected: RejectedRecord<R>[] = [];
  const mapped: Mapped<R>[] = [];
  for (const record of records) {
    try {
      mapped.push({ record, rows: rowsForRecord(record) });
    } catch (err) {
      if (!(err instanceof RowMappingError)) throw err;
      rejected.push({ record, error: err });
    }
  }
  const rows = await insertIsolating(client, database, mapped, rejected);
  return { written: records.length - rejected.length, rows, rejected };
}
