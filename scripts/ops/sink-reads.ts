/**
 * What the sinks hold about orders, read for verification: Redis order
 * hashes (keys.ts) and ClickHouse order_state rows (FINAL: the newest state
 * of each order, as every documented query reads it).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type Redis from 'ioredis';
import { ordersByStatus, runQuery } from '../../sinks/clickhouse/queries';
import { RawRow, selectRows, stringColumn } from '../../sinks/clickhouse/result-values';
import { sqlIdentifier, sqlStringList } from '../../sinks/clickhouse/sql-literals';
import type { RedisKeys } from '../../sinks/redis/keys';

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export async function redisOrderHashes(redis: Redis, keys: RedisKeys, orderIds: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const hashes = new Map<string, Record<string, string>>();
  for (const ids of chunks(orderIds)) {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.order(id));
    const results = (await pipeline.exec()) ?? [];
    ids.forEach((id, i) => {
      const [error, fields] = results[i] ?? [new Error('no reply'), null];
      if (error) throw new Error(`HGETALL ${keys.order(id)} failed: ${error.message}`);
      hashes.set(id, fields as Record<string, string>);
    });
  }
  return hashes;
}

/** Redis glob metacharacters in a literal key prefix. */
function globLiteral(text: string): string {
  return text.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
}

/** Every order id with a hash under the prefix (SCAN: no blocking KEYS). */
export async function redisOrderIds(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const marker = keys.order('');
  const ids: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${globLiteral(marker)}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) ids.push(key.slice(marker.length));
  } while (cursor !== '0');
  return ids;
}

/** Orders per status over every order hash under the prefix. */
export async function redisStatusCounts(redis: Redis, keys: RedisKeys): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ids of chunks(await redisOrderIds(redis, keys))) {
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hget(keys.order(id), 'status');
    for (const [error, status] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const name = typeof status === 'string' ? status : '(none)';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return counts;
}

/** order_state FINAL rows by order id: the given orders, or all of them. */
export async function clickHouseOrderRows(client: ClickHouseClient, database: string, orderIds: readonly string[] | 'all'): Promise<Map<string, RawRow>> {
  const table = `${sqlIdentifier(database)}.order_state FINAL`;
  const queries = orderIds === 'all' ? [`SELECT * FROM ${table}`] : chunks(orderIds).map((ids) => `SELECT * FROM ${table} WHERE order_id IN ${sqlStringList(ids)}`);
  const rows = new Map<string, RawRow>();
  for (const sql of queries) for (const row of await selectRows(client, sql)) rows.set(stringColumn(row, 'order_id', 'order_state'), row);
  return rows;
}

export async function clickHouseStatusCounts(client: ClickHouseClient, database: string): Promise<Map<string, number>> {
  return new Map((await runQuery(client, ordersByStatus(database))).map((row) => [row.status, row.orders]));
}
