/**
 * What the sinks hold, read for verification: Redis order hashes, counters
 * hashes and recent alerts (keys.ts), ClickHouse order_state and
 * fraud_alerts rows (FINAL: the newest state of each order and one row per
 * alert, as every documented query reads them).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type Redis from 'ioredis';
import { ordersByStatus, runQuery } from '../../sinks/clickhouse/queries';
import { RawRow, selectRows, stringColumn } from '../../sinks/clickhouse/result-values';
import { sqlIdentifier, sqlStringList } from '../../sinks/clickhouse/sql-literals';
import { scanKeys } from '../../sinks/redis/clear-keys';
import type { RedisKeys } from '../../sinks/redis/keys';
import type { RecentAlerts } from './fraud-check';

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** HGETALL of each id's key (`keyOf`, from keys.ts), in pipelined chunks; an empty hash means no key. */
export async function redisHashes(redis: Redis, keyOf: (id: string) => string, ids: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const hashes = new Map<string, Record<string, string>>();
  for (const chunk of chunks(ids)) {
    const pipeline = redis.pipeline();
    for (const id of chunk) pipeline.hgetall(keyOf(id));
    const results = (await pipeline.exec()) ?? [];
    chunk.forEach((id, i) => {
      const [error, fields] = results[i] ?? [new Error('no reply'), null];
      if (error) throw new Error(`HGETALL ${keyOf(id)} failed: ${error.message}`);
      hashes.set(id, fields as Record<string, string>);
    });
  }
  return hashes;
}

/** The ids of every key `keyOf(id)` under the prefix (SCAN: no blocking KEYS; a key SCAN repeats counts once). */
async function redisIds(redis: Redis, keyOf: (id: string) => string): Promise<string[]> {
  const marker = keyOf('');
  const ids = new Set<string>();
  for await (const found of scanKeys(redis, marker)) for (const key of found) ids.add(key.slice(marker.length));
  return [...ids];
}

export function redisOrderIds(redis: Redis, keys: RedisKeys): Promise<string[]> {
  return redisIds(redis, keys.order);
}

export function redisCountersCustomerIds(redis: Redis, keys: RedisKeys): Promise<string[]> {
  return redisIds(redis, keys.fraudCounters);
}

/**
 * Customers with a recent-alerts sorted set or data hash. Both keys share
 * the alerts(id) stem and the data hash adds a suffix, so a key ending in
 * that suffix is read as a data hash (a customer id ending in it is ambiguous
 * in the sink's layout).
 */
export async function redisAlertCustomerIds(redis: Redis, keys: RedisKeys): Promise<string[]> {
  const suffix = keys.alertData('').slice(keys.alerts('').length);
  return [...new Set((await redisIds(redis, keys.alerts)).map((id) => (id.endsWith(suffix) ? id.slice(0, -suffix.length) : id)))];
}

/** Each customer's recent alerts: the sorted set, oldest first, and the data hash. */
export async function redisRecentAlerts(redis: Redis, keys: RedisKeys, customerIds: readonly string[]): Promise<Map<string, RecentAlerts>> {
  const recent = new Map<string, RecentAlerts>();
  for (const chunk of chunks(customerIds)) {
    const pipeline = redis.pipeline();
    for (const id of chunk) pipeline.zrange(keys.alerts(id), 0, -1, 'WITHSCORES').hgetall(keys.alertData(id));
    const results = (await pipeline.exec()) ?? [];
    chunk.forEach((id, i) => {
      const [zError, flat] = results[2 * i] ?? [new Error('no reply'), null];
      if (zError) throw new Error(`ZRANGE ${keys.alerts(id)} failed: ${zError.message}`);
      const [hError, data] = results[2 * i + 1] ?? [new Error('no reply'), null];
      if (hError) throw new Error(`HGETALL ${keys.alertData(id)} failed: ${hError.message}`);
      const members = flat as string[];
      const ids: Array<[string, number]> = [];
      for (let m = 0; m < members.length; m += 2) ids.push([members[m] as string, Number(members[m + 1])]);
      recent.set(id, { ids, data: data as Record<string, string> });
    });
  }
  return recent;
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
  const queries =
    orderIds === 'all' ? [`SELECT * FROM ${table}`] : chunks(orderIds).map((ids) => `SELECT * FROM ${table} WHERE order_id IN ${sqlStringList(ids)}`);
  const rows = new Map<string, RawRow>();
  for (const sql of queries) for (const row of await selectRows(client, sql)) rows.set(stringColumn(row, 'order_id', 'order_state'), row);
  return rows;
}

export async function clickHouseStatusCounts(client: ClickHouseClient, database: string): Promise<Map<string, number>> {
  return new Map((await runQuery(client, ordersByStatus(database))).map((row) => [row.status, row.orders]));
}

/** Every row of fraud_alerts FINAL: one per alert, however often it was delivered, as the documented queries count them. */
export function clickHouseAlertRows(client: ClickHouseClient, database: string): Promise<RawRow[]> {
  return selectRows(client, `SELECT * FROM ${sqlIdentifier(database)}.fraud_alerts FINAL`);
}
