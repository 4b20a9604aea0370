import {
  DATABASE_PLACEHOLDER,
  MigrationFile,
  loadMigrations,
  migrationChecksum,
  migrationFromText,
  orderMigrations,
  parseMigrationFileName,
  renderMigration,
} from '../../../sinks/clickhouse/migration-files';
import { pendingMigrations } from '../../../sinks/clickhouse/migrate';

describe('migration file names', () => {
  test('NNN_name.sql gives version and name', () => {
    expect(parseMigrationFileName('001_events.sql')).toEqual({ version: 1, name: 'events' });
    expect(parseMigrationFileName('0042_add_column.sql')).toEqual({ version: 42, name: 'add_column' });
  });

  test.each(['1_events.sql', '001-events.sql', '001_Events.sql', '001_events.SQL', 'events.sql', '001_.sql'])('%s is refused', (name) => {
    expect(parseMigrationFileName(name)).toBeUndefined();
    expect(() => migrationFromText(name, 'SELECT 1')).toThrow(/is not named NNN_name\.sql/);
  });
});

describe('ordering', () => {
  const file = (name: string): MigrationFile => migrationFromText(name, `-- ${name}\nSELECT 1`);

  test('sorts by number, not by text', () => {
    expect(orderMigrations([file('010_c.sql'), file('002_b.sql'), file('001_a.sql')]).map((m) => m.fileName)).toEqual(['001_a.sql', '002_b.sql', '010_c.sql']);
  });

  test('two files with one version are an error naming both', () => {
    expect(() => orderMigrations([file('002_b.sql'), file('002_c.sql')])).toThrow(/002_b\.sql and 002_c\.sql share version 2/);
  });

  test('version 0 is refused', () => {
    expect(() => orderMigrations([file('000_zero.sql')])).toThrow(/versions start at 001/);
  });
});

describe('checksums', () => {
  test('sha256 of the text, stable, and blind to CRLF line endings', () => {
    const text = 'CREATE TABLE x;\nSELECT 1;\n';
    expect(migrationChecksum(text)).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum(text)).toBe(migrationChecksum(text));
    expect(migrationChecksum(text.replace(/\n/g, '\r\n'))).toBe(migrationChecksum(text));
    expect(migrationChecksum(`${text} `)).not.toBe(migrationChecksum(text));
  });
});

describe('rendering', () => {
  test('substitutes the database and splits', () => {
    const m = migrationFromText(
      '001_a.sql',
      `CREATE TABLE IF NOT EXISTS ${DATABASE_PLACEHOLDER}.a (x UInt8) ENGINE = Memory;\nSELECT 1 FROM ${DATABASE_PLACEHOLDER}.a;`,
    );
    expect(renderMigration(m, 'test_db')).toEqual(['CREATE TABLE IF NOT EXISTS test_db.a (x UInt8) ENGINE = Memory', 'SELECT 1 FROM test_db.a']);
  });

  test('refuses a database that is not an identifier, and unknown placeholders', () => {
    const m = migrationFromText('001_a.sql', `SELECT {{db}}`);
    expect(() => renderMigration(m, 'x; DROP')).toThrow(/not a plain SQL identifier/);
    expect(() => renderMigration(m, 'ok')).toThrow(/001_a\.sql uses \{\{db\}\}/);
    expect(() => renderMigration(migrationFromText('002_b.sql', '-- nothing'), 'ok')).toThrow(/holds no statement/);
  });
});

describe('pending migrations against what a database recorded', () => {
  const files = [migrationFromText('001_a.sql', 'SELECT 1'), migrationFromText('002_b.sql', 'SELECT 2'), migrationFromText('003_c.sql', 'SELECT 3')];
  const record = (m: MigrationFile) => [m.version, { version: m.version, name: m.name, checksum: m.checksum }] as const;

  test('applied versions are skipped', () => {
    expect(pendingMigrations(files, new Map([record(files[0]!)]), 'db').map((m) => m.fileName)).toEqual(['002_b.sql', '003_c.sql']);
    expect(pendingMigrations(files, new Map(files.map(record)), 'db')).toEqual([]);
  });

  test('an applied file that changed is an error naming it', () => {
    const applied = new Map([record(files[0]!), [2, { version: 2, name: 'b', checksum: 'f'.repeat(64) }] as const]);
    expect(() => pendingMigrations(files, applied, 'db')).toThrow(/migration 002_b\.sql was changed after it was applied to database db/);
  });

  test('an applied version without a file is an error', () => {
    const applied = new Map([[9, { version: 9, name: 'future', checksum: 'x' }] as const]);
    expect(() => pendingMigrations(files, applied, 'db')).toThrow(/migration 9 \(future\) applied, but this build has no file for it/);
  });

  test('a new file numbered below the last applied one is an error', () => {
    const applied = new Map([record(files[0]!), record(files[2]!)]);
    expect(() => pendingMigrations(files, applied, 'db')).toThrow(/002_b\.sql is new but numbered below 3/);
  });
});

describe('the project migrations', () => {
  const migrations = loadMigrations();

  test('are numbered 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  test('every statement is safe to run again (a half-applied migration reruns) and names its database', () => {
    for (const migration of migrations) {
      for (const statement of renderMigration(migration, 'db_x')) {
        const where = `${migration.fileName}: ${statement.slice(0, 60)}`;
        if (/^CREATE\b/i.test(statement)) expect([where, /^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS db_x\.\w+/i.test(statement)]).toEqual([where, true]);
        else expect([where, /^INSERT INTO db_x\.\w+\s+SELECT/i.test(statement)]).toEqual([where, true]);
        // every table reference is qualified (ARRAY JOIN takes columns, not tables)
        for (const ref of statement.matchAll(/\b(?:FROM|TO|INTO|(?<!ARRAY\s+)JOIN|TABLE|VIEW)\s+(?:IF NOT EXISTS\s+)?([A-Za-z_][\w.]*)/gi)) {
          expect([where, ref[1]!.startsWith('db_x.')]).toEqual([where, true]);
        }
      }
    }
  });

  test('never use PREWHERE (it filters before FINAL deduplicates) nor features 18.16 lacks', () => {
    for (const migration of migrations) {
      // the statements as sent, without the comments that explain these rules
      const sent = renderMigration(migration, 'db_x').join(';\n');
      expect([migration.fileName, /PREWHERE|DateTime64|LowCardinality|\{\w+:\w+\}|insert_deduplication_token/i.test(sent)]).toEqual([
        migration.fileName,
        false,
      ]);
    }
  });
});
