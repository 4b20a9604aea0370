/**
 * Field-by-field comparison of two flat records of strings, the form every
 * store's view of an order is brought to (a Redis hash, a ClickHouse row, an
 * OrderState through orderHashFields). An absent field is null.
 */
export interface FieldDifference {
  readonly field: string;
  readonly expected: string | null;
  readonly actual: string | null;
}

export type FlatRecord = Readonly<Record<string, string>>;

/** Differences in the expected record's field order, then fields only the actual one has. */
export function diffFields(expected: FlatRecord, actual: FlatRecord): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const fields = [...Object.keys(expected), ...Object.keys(actual).filter((field) => !(field in expected))];
  for (const field of fields) {
    const want = expected[field] ?? null;
    const got = actual[field] ?? null;
    if (want !== got) differences.push({ field, expected: want, actual: got });
  }
  return differences;
}

const PRESENT = 'present';

/**
 * A record missing from one side (or from the log) as one difference of the
 * field `whole` (present / absent), else the field differences: a missing
 * record is not listed field by field.
 */
export function recordDifferences(whole: string, expected: FlatRecord | undefined, actual: FlatRecord | undefined): FieldDifference[] {
  if (expected === undefined && actual === undefined) return [];
  if (expected === undefined || actual === undefined) return [{ field: whole, expected: expected ? PRESENT : null, actual: actual ? PRESENT : null }];
  return diffFields(expected, actual);
}

/**
 * A row as JSON gives it back, as strings: ClickHouse 18.16 writes 64-bit
 * integers as strings and current versions as numbers, so both become the
 * same text; arrays become JSON arrays of strings; NULL is an absent field.
 */
export function flattenRow(row: Readonly<Record<string, unknown>>, skip: readonly string[] = []): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === null || value === undefined || skip.includes(column)) continue;
    flat[column] = Array.isArray(value) ? JSON.stringify(value.map((item) => String(item))) : String(value);
  }
  return flat;
}
