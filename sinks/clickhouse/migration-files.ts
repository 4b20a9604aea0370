/**
 * The migration files: `migrations/NNN_name.sql`, applied in version order.
 * A file's checksum is what schema_migrations records, so a file edited
 * after it was applied is caught instead of silently diverging from the
 * databases that ran the old text.
 *
 * Files name every table `{{database}}.table`: the database is chosen when
 * migrating (the configured one, or a test's own), and qualified names keep
 * materialized views independent of a session's current database.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sqlIdentifier } from './sql-literals';
import { splitStatements } from './split-statements';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

export const DATABASE_PLACEHOLDER = '{{database}}';

export class MigrationFileError extends Error {
  override readonly name = 'MigrationFileError';
}

export interface MigrationFile {
  /** From the file name's number: 1 for 001_events.sql. */
  readonly version: number;
  /** From the file name after the number: events. */
  readonly name: string;
  readonly fileName: string;
  /** The file's text, unchanged. */
  readonly sql: string;
  /** sha256 (hex) of the text with line endings normalized to \n. */
  readonly checksum: string;
}

const FILE_NAME = /^(\d{3,})_([a-z0-9][a-z0-9_]*)\.sql$/;

/** Version and name of a migration file name, or undefined when it does not follow NNN_name.sql. */
export function parseMigrationFileName(fileName: string): { version: number; name: string } | undefined {
  const match = FILE_NAME.exec(fileName);
  if (match === null) return undefined;
  return { version: Number(match[1]), name: match[2]! };
}

/** A checkout with CRLF line endings (git on Windows) must not look like an edited file. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function migrationFromText(fileName: string, sql: string): MigrationFile {
  const parsed = parseMigrationFileName(fileName);
  if (parsed === undefined) {
    throw new MigrationFileError(
      `migration file ${fileName} is not named NNN_name.sql (three or more digits, _, then lower-case letters, digits and _): rename it`,
    );
  }
  return { ...parsed, fileName, sql, checksum: migrationChecksum(sql) };
}

/** Sorts by version; two files with one version, or a version 0, are errors naming the files. */
export function orderMigrations(files: readonly MigrationFile[]): MigrationFile[] {
  const sorted = [...files].sort((a, b) => a.version - b.version);
  for (let i = 0; i < sorted.length; i++) {
    const file = sorted[i]!;
    if (file.version === 0) throw new MigrationFileError(`migration ${file.fileName}: versions start at 001`);
    const previous = sorted[i - 1];
    if (previous !== undefined && previous.version === file.version) {
      throw new MigrationFileError(`migrations ${previous.fileName} and ${file.fileName} share version ${file.version}: give one of them the next free number`);
    }
  }
  return sorted;
}

/** Every .sql file of `dir`, parsed and ordered. Other files (a README) are ignored. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.sql'));
  } catch (err) {
    throw new MigrationFileError(`cannot read the migrations folder ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return orderMigrations(names.map((name) => migrationFromText(name, readFileSync(path.join(dir, name), 'utf8'))));
}

/** The statements of a migration for `database`, ready to send one by one. */
export function renderMigration(migration: MigrationFile, database: string): string[] {
  const db = sqlIdentifier(database);
  const rendered = migration.sql.split(DATABASE_PLACEHOLDER).join(db);
  const stray = /\{\{[^}]*\}\}/.exec(rendered);
  if (stray !== null) {
    throw new MigrationFileError(`migration ${migration.fileName} uses ${stray[0]}: the only placeholder is ${DATABASE_PLACEHOLDER}`);
  }
  const statements = splitStatements(rendered, `migration ${migration.fileName}`);
  if (statements.length === 0) throw new MigrationFileError(`migration ${migration.fileName} holds no statement`);
  return statements;
}
