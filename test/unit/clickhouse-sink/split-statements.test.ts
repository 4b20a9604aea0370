import { StatementSplitError, splitStatements } from '../../../sinks/clickhouse/split-statements';

describe('splitStatements', () => {
  test('splits on ; and drops empty statements and comments', () => {
    const sql = `-- a comment; with a semicolon
CREATE TABLE a (x UInt8) ENGINE = Memory;
/* block; comment */
;;
SELECT 1 -- trailing; comment
`;
    expect(splitStatements(sql)).toEqual(['CREATE TABLE a (x UInt8) ENGINE = Memory', 'SELECT 1']);
  });

  test('a ; inside strings and quoted identifiers does not split', () => {
    const sql = `SELECT 'a;b', "c;d", \`e;f\`; SELECT 'it\\'s; fine', 'doubled '';'' quote'`;
    expect(splitStatements(sql)).toEqual([`SELECT 'a;b', "c;d", \`e;f\``, `SELECT 'it\\'s; fine', 'doubled '';'' quote'`]);
  });

  test('comment markers inside strings are text', () => {
    expect(splitStatements(`SELECT '-- not a comment', '/* nor this */'; SELECT 2`)).toEqual([`SELECT '-- not a comment', '/* nor this */'`, 'SELECT 2']);
  });

  test('a last statement without ; is kept', () => {
    expect(splitStatements('SELECT 1')).toEqual(['SELECT 1']);
  });

  test('unterminated strings and comments are errors naming the source and line', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'oops", '001_x.sql')).toThrow(StatementSplitError);
    expect(() => splitStatements("SELECT 1;\nSELECT 'oops", '001_x.sql')).toThrow(/001_x\.sql: unterminated ' quote opened on line 2/);
    expect(() => splitStatements('SELECT 1 /* open', 'f')).toThrow(/unterminated \/\* comment opened on line 1/);
  });
});
