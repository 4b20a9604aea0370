import { SqlLiteralError, sqlDate, sqlIdentifier, sqlInt, sqlString, sqlStringList } from '../../../sinks/clickhouse/sql-literals';

describe('sqlString', () => {
  test.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["O'Brien", "'O\\'Brien'"],
    ["'; DROP TABLE events; --", "'\\'; DROP TABLE events; --'"],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ['line\nbreak\r\ttab', "'line\\nbreak\\r\\ttab'"],
    ['nul\0byte', "'nul\\0byte'"],
    ['bell\b\fform', "'bell\\b\\fform'"],
    ['café ✓ 注文 🚚', "'café ✓ 注文 🚚'"],
    ['"double" `back`', '\'"double" `back`\''],
  ])('%j → %s', (value, literal) => {
    expect(sqlString(value)).toBe(literal);
  });

  test('refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => sqlString('a\uD83Db')).toThrow(SqlLiteralError);
    expect(() => sqlString('\uDE9A')).toThrow(/lone UTF-16 surrogate/);
  });

  test('a surrogate pair (an emoji) is fine', () => {
    expect(sqlString('\uD83D\uDE9A')).toBe("'🚚'");
  });
});

describe('sqlInt', () => {
  test('renders safe integers', () => {
    expect(sqlInt(0)).toBe('0');
    expect(sqlInt(-42)).toBe('-42');
    expect(sqlInt(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
  });

  test.each([1.5, Number.NaN, Infinity, 2 ** 53])('refuses %p', (value) => {
    expect(() => sqlInt(value)).toThrow(/safe integer/);
  });
});

describe('sqlIdentifier', () => {
  test('accepts plain names', () => {
    expect(sqlIdentifier('streamfold')).toBe('streamfold');
    expect(sqlIdentifier('_test_1')).toBe('_test_1');
  });

  test.each(['', '1abc', 'a-b', 'a.b', 'a b', 'x;DROP', '`x`', 'é'])('refuses %j', (name) => {
    expect(() => sqlIdentifier(name)).toThrow(/not a plain SQL identifier/);
  });
});

describe('sqlDate and sqlStringList', () => {
  test('a date becomes toDate(…)', () => {
    expect(sqlDate('2024-05-01')).toBe("toDate('2024-05-01')");
  });

  test.each(['2024-5-1', '2024-02-30', '2024-13-01', "2024-05-01'", ''])('refuses %j', (value) => {
    expect(() => sqlDate(value)).toThrow(/expected YYYY-MM-DD/);
  });

  test('lists quote every element', () => {
    expect(sqlStringList(['a', "b'c"])).toBe("('a', 'b\\'c')");
    expect(() => sqlStringList([])).toThrow(/empty/);
  });
});
