/**
 * chDB (a current ClickHouse engine, in-process) behind the same
 * @clickhouse/client API the sink uses against a server: chdb's
 * `chdb/connection` plugs into createClient({ connection }), so migrations,
 * inserts and queries run through exactly the code that runs on 18.16.
 *
 * chDB is not a project dependency (about 540 MB): scripts/ensure-chdb
 * installs it into .infra/chdb, and it is loaded from there.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { ClickHouseClient, ClickHouseClientConfigOptions, createClient } from '@clickhouse/client';
export const CHDB_DIR = process.env['CHDB_DIR'] ?? path.resolve(__dirname, '../../..', '.infra', 'chdb');

type Connection = NonNullable<ClickHouseClientConfigOptions['connection']>;

interface ChdbConnectionModule {
  createChdbConnection(options: { path: string }): Connection;
}

function isChdbConnectionModule(value: unknown): value is ChdbConnectionModule {
  return typeof value === 'object' && value !== null && typeof (value as { createChdbConnection?: unknown }).createChdbConnection === 'function';
}

/** A ClickHouseClient over an in-memory chDB session; throws, saying how to install, when chDB is missing. */
export function createChdbClient(): ClickHouseClient {
  // Node's own require, from chDB's folder: it resolves chdb there, and
  // loads the native addon once per process whatever jest's module registry does.
  const load = createRequire(path.join(CHDB_DIR, 'package.json'));
  let loaded: unknown;
  try {
    loaded = load('chdb/connection');
  } catch (err) {
    throw new Error(
      `chDB is not installed in ${CHDB_DIR} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): ` +
        `run scripts/ensure-chdb (scripts/test does), which installs npm chdb there, about 540 MB`,
      { cause: err },
    );
  }
  if (!isChdbConnectionModule(loaded)) throw new Error(`chdb/connection in ${CHDB_DIR} has no createChdbConnection: is it chdb 3.x?`);
  return createClient({ connection: loaded.createChdbConnection({ path: ':memory:' }) });
}

/** The chdb package version installed, for the test's report. */
export function chdbPackageVersion(): string {
  const load = createRequire(path.join(CHDB_DIR, 'package.json'));
  const pkg: unknown = load('chdb/package.json');
  return typeof pkg === 'object' && pkg !== null && typeof (pkg as { version?: unknown }).version === 'string'
    ? (pkg as { version: string }).version
    : 'unknown';
}
