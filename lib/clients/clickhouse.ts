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
    // A busy event loop can hold a socket past its idle TTL (the server closes
    // idle connections after 3 s on versions before 23.11, 18.16 included):
    // drop such sockets instead of reusing one the server may have closed.
    keep_alive: { eagerly_destroy_stale_sockets: true },
  });
}
