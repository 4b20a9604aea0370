/**
 * Reading JSONEachRow results the same way from every ClickHouse version.
 * 18.16 writes 64-bit integers (UInt64, Int64: count(), sum() of Int64…) as
 * JSON strings, so they may exceed 2^53; current ClickHouse and chDB may
 * write them as numbers. These readers accept both and check the value, so
 * a query's rows come out identical whichever engine ran it.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export type RawRow = Readonly<Record<string, unknown>>;

export class ResultShapeError extends Error {
  override readonly name = 'ResultShapeError';
}

function field(row: RawRow, column: string, where: string): unknown {
  if (!(column in row)) {
    throw new ResultShapeError(`${where}: the result has no column ${column} (columns: ${Object.keys(row).join(', ')})`);
  }
  return row[column];
}

/** An integer column (any width) as a number; refuses values beyond 2^53 rather than rounding them. */
export function intColumn(row: RawRow, column: string, where: string): number {
  const value = field(row, column, where);
  const parsed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed)) {
    throw new ResultShapeError(`${where}: column ${column} is ${JSON.stringify(value)}, expected an integer within ±2^53`);
  }
  return parsed;
}

export function stringColumn(row: RawRow, column: string, where: string): string {
  const value = field(row, column, where);
  if (typeof value !== 'string') throw new ResultShapeError(`${where}: column ${column} is ${JSON.stringify(value)}, expected a string`);
  return value;
}

export function stringArrayColumn(row: RawRow, column: string, where: string): string[] {
  const value = field(row, column, where);
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new ResultShapeError(`${where}: column ${column} is ${JSON.stringify(value)}, expected an array of strings`);
  }
  return value;
}

/** Runs a SELECT and returns its rows as parsed JSON objects. */
export async function selectRows(client: ClickHouseClient, sql: string): Promise<RawRow[]> {
  const result = await client.query({ query: sql, format: 'JSONEachRow' });
  const rows: unknown = await result.json();
  if (!Array.isArray(rows)) throw new ResultShapeError(`expected rows from: ${sql.slice(0, 200)}`);
  return rows.map((row: unknown, i) => {
    if (typeof row !== 'object' || row === null) throw new ResultShapeError(`row ${i} is not an object: ${JSON.stringify(row)}`);
    return row as RawRow;
  });
}
