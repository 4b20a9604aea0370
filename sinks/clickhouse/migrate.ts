/**
 * Applies pending migrations to a database and records each one in its
 * schema_migrations table (version, name, checksum, applied_at).
 *
 * Safe to rerun: applied versions are skipped. An applied file whose text
 * changed, an applied version this build has no file for, and a new file
 * numbered below the last applied one are errors naming the file: the
 * database and the code disagree and a person has to decide.
 *
 * ClickHouse DDL is not transactional, so a migration that fails half-way
 * is not recorded and its statements run again on the next attempt: every
 * statement must be safe to repeat (CREATE … IF NOT EXISTS, backfills into
 * replay-safe tables). A unit test holds the migrations to that.
 *
 * The client may point at any existing database (e.g. `default`): every
 * statement names its database, which is created here when missing.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../lib/logger';
import { MigrationFile, loadMigrations, renderMigration } from './migration-files';
import { intColumn, selectRows, stringColumn } from './result-values';
import { sqlIdentifier, sqlInt, sqlString } from './sql-literals';

export const MIGRATIONS_TABLE = 'schema_migrations';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

export interface MigrationReport {
  readonly database: string;
  /** Applied by this run, in order. */
  readonly applied: readonly AppliedMigration[];
  /** Already applied before this run. */
  readonly skipped: readonly AppliedMigration[];
}

export interface MigrateOptions {
  /** The migration files; by default the ones in migrations/. */
  readonly migrations?: readonly MigrationFile[];
  readonly logger?: Logger;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message.trim() : String(err);
}

async function ensureBookkeeping(client: ClickHouseClient, db: string): Promise<void> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  // ReplacingMergeTree keyed by version: should two migrators ever record the
  // same version, reads with FINAL still see it once.
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.${MIGRATIONS_TABLE}
      (version UInt32, name String, checksum String, applied_at DateTime('UTC'))
      ENGINE = ReplacingMergeTree() ORDER BY version`,
  });
}

/** What schema_migrations records, by version. */
export async function appliedMigrations(client: ClickHouseClient, database: string): Promise<Map<number, AppliedMigration>> {
  const db = sqlIdentifier(database);
  const rows = await selectRows(client, `SELECT version, name, checksum FROM ${db}.${MIGRATIONS_TABLE} FINAL ORDER BY version`);
  const where = `${db}.${MIGRATIONS_TABLE}`;
  return new Map(
    rows.map((row) => {
      const version = intColumn(row, 'version', where);
      return [version, { version, name: stringColumn(row, 'name', where), checksum: stringColumn(row, 'checksum', where) }];
    }),
  );
}

/** Checks the recorded history against the files; returns the files still to apply, in order. */
export function pendingMigrations(files: readonly MigrationFile[], applied: ReadonlyMap<number, AppliedMigration>, database: string): MigrationFile[] {
  const byVersion = new Map(files.map((file) => [file.version, file]));
  for (const record of applied.values()) {
    const file = byVersion.get(record.version);
    if (file === undefined) {
      throw new MigrationError(
        `database ${database} has migration ${record.version} (${record.name}) applied, but this build has no file for it: ` +
          `run a build that has it, or restore the file`,
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationError(
        `migration ${file.fileName} was changed after it was applied to database ${database} ` +
          `(checksum ${record.checksum.slice(0, 12)}… recorded, ${file.checksum.slice(0, 12)}… now): ` +
          `restore its applied text and put the change in a new migration`,
      );
    }
  }
  const lastApplied = Math.max(0, ...applied.keys());
  const pending = files.filter((file) => !applied.has(file.version));
  const stale = pending.find((file) => file.version < lastApplied);
  if (stale !== undefined) {
    throw new MigrationError(
      `migration ${stale.fileName} is new but numbered below ${lastApplied}, already applied to database ${database}: ` + `renumber it above ${lastApplied}`,
    );
  }
  return pending;
}

/** Applies what is pending; see the file comment for the guarantees. */
export async function migrate(client: ClickHouseClient, database: string, options: MigrateOptions = {}): Promise<MigrationReport> {
  const db = sqlIdentifier(database);
  const files = options.migrations ?? loadMigrations();
  await ensureBookkeeping(client, db);
  const applied = await appliedMigrations(client, db);
  const pending = pendingMigrations(files, applied, db);
  const done: AppliedMigration[] = [];
  for (const file of pending) {
    const statements = renderMigration(file, db);
    for (const [index, statement] of statements.entries()) {
      try {
        await client.command({ query: statement });
      } catch (err) {
        throw new MigrationError(
          `migration ${file.fileName}, statement ${index + 1} of ${statements.length}, failed on database ${db}: ${describeError(err)}` +
            ` (statements before it ran and will run again: fix the file or the server, then rerun)`,
        );
      }
    }
    await client.command({
      query:
        `INSERT INTO ${db}.${MIGRATIONS_TABLE} (version, name, checksum, applied_at) ` +
        `SELECT ${sqlInt(file.version)}, ${sqlString(file.name)}, ${sqlString(file.checksum)}, now()`,
    });
    options.logger?.info({ database: db, migration: file.fileName, statements: statements.length }, 'migration applied');
    done.push({ version: file.version, name: file.name, checksum: file.checksum });
  }
  return { database: db, applied: done, skipped: [...applied.values()] };
}
