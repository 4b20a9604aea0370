/** The official ClickHouse client from ClickHouseConfig. */
import { createClient, ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config';

export function createClickHouse(config: ClickHouseConfig, database: string = config.database): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database,
    request_timeout: 30_000,
  });
}
