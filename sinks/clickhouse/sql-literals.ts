/**
 * SQL literals rendered by hand. ClickHouse 18.16 has no query parameters
 * ({name:Type} arrived in 19.x), so every value that reaches SQL goes through
 * one of these functions: strings are quoted and escaped, numbers must be
 * safe integers, identifiers must be plain names. Nothing else is ever
 * concatenated into a statement.
 */
import { hasLoneSurrogate } from './unicode';

export class SqlLiteralError extends Error {
  override readonly name = 'SqlLiteralError';
}

// ClickHouse string literals take C-style backslash escapes on every version
// (18.16 and current); doubling a quote ('') also works on current versions
// but backslash-escaping the quote is the form both parse the same way.
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A single-quoted string literal. Unicode passes through as UTF-8 (ClickHouse
 * strings are bytes); a string with a lone UTF-16 surrogate is refused, since
 * it has no UTF-8 form and would reach the server silently altered.
 */
export function sqlString(value: string): string {
  if (hasLoneSurrogate(value)) {
    throw new SqlLiteralError(`cannot render ${JSON.stringify(value)} as SQL: it holds a lone UTF-16 surrogate (not valid Unicode)`);
  }
  return `'${value.replace(/[\\'\0\b\f\n\r\t]/g, (c) => ESCAPES[c] ?? c)}'`;
}

/** An integer literal; refuses fractions, NaN and integers beyond 2^53 (they would be silently rounded). */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new SqlLiteralError(`cannot render ${value} as an SQL integer: expected a safe integer (|n| ≤ 2^53 - 1)`);
  }
  return String(value);
}

/** A database or table name: letters, digits and _ only, so it never needs quoting on any version. */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SqlLiteralError(`"${name}" is not a plain SQL identifier (letters, digits and _, not starting with a digit)`);
  }
  return name;
}

/** A list of string literals for IN (...) or an array: ('a', 'b'). */
export function sqlStringList(values: readonly string[]): string {
  if (values.length === 0) throw new SqlLiteralError('cannot render an empty SQL list');
  return `(${values.map(sqlString).join(', ')})`;
}

/** `YYYY-MM-DD`, checked, for comparisons with Date columns (toDate('…') parses it the same on every version). */
export function sqlDate(value: string): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  // The round trip catches days a month does not have (2024-02-30 would roll over).
  if (parsed === undefined || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new SqlLiteralError(`"${value}" is not a date: expected YYYY-MM-DD`);
  }
  return `toDate(${sqlString(value)})`;
}
