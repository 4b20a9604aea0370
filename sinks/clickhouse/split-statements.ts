/**
 * Splits a migration file into statements. The HTTP interface runs one
 * statement per request (18.16 has no multi-statement queries), so a file's
 * `;`-separated statements are sent one by one. A `;` inside a string
 * literal, a quoted identifier or a comment does not split; comments are
 * dropped (a statement is sent without them).
 */

export class StatementSplitError extends Error {
  override readonly name = 'StatementSplitError';
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The index just past the closing `quote`, honouring backslash escapes and doubled quotes. */
function skipQuoted(sql: string, start: number, quote: string, where: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // '' inside '…' is an escaped quote
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  throw new StatementSplitError(`${where}: unterminated ${quote} quote opened on line ${lineOf(sql, start)}`);
}

/** Statements of `sql` in order, without comments, trimmed; empty ones are left out. `where` names the source in errors. */
export function splitStatements(sql: string, where = 'SQL'): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const flush = () => {
    const statement = current.trim();
    if (statement !== '') statements.push(statement);
    current = '';
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      const end = skipQuoted(sql, i, c, where);
      current += sql.slice(i, end);
      i = end;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      current += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new StatementSplitError(`${where}: unterminated /* comment opened on line ${lineOf(sql, i)}`);
      i = end + 2;
      current += ' ';
    } else if (c === ';') {
      flush();
      i += 1;
    } else {
      current += c;
      i += 1;
    }
  }
  flush();
  return statements;
}
