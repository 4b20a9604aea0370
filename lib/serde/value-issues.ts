/**
 * What is wrong with a value, field by field, before it is encoded: avsc's
 * isValid walks the value and calls errorHook with the path of every part
 * that does not fit; this turns those calls into "path: reason" issues a
 * person can act on (e.g. `items[1].quantity: expected an int, got 1.5`).
 *
 * Undeclared fields are refused: a misspelt optional field would otherwise
 * be dropped silently and its default written instead.
 */
import { Type, types } from 'avsc';

export interface ValueIssue {
  /** Dotted field path, array indexes in brackets; '' for the value itself. */
  readonly path: string;
  readonly reason: string;
}

const MAX_SHOWN = 60;

/** Array indexes come as digit strings in avsc's path; map keys cannot be told apart from them. */
function formatPath(segments: readonly string[]): string {
  let path = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path ? `.${segment}` : segment;
  }
  return path;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

const PRIMITIVE_EXPECTATIONS: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'a boolean',
  int: 'an int (32-bit integer)',
  long: 'a long (integer, at most 2^53 in magnitude)',
  float: 'a float (number)',
  double: 'a double (number)',
  bytes: 'bytes (a Buffer)',
  string: 'a string',
};

export function describeType(type: Type): string {
  if (Type.isType(type, 'logical')) {
    const logical = type as types.LogicalType;
    return `${type.typeName.replace(/^logical:/, '')} (${describeType(logical.underlyingType)})`;
  }
  if (Type.isType(type, 'record', 'error')) return `a ${type.name ?? 'record'} record (an object)`;
  if (Type.isType(type, 'enum')) return `one of ${(type as types.EnumType).symbols.join(', ')}`;
  if (Type.isType(type, 'union')) {
    return `one of: ${(type as types.UnwrappedUnionType).types.map(describeType).join(' | ')}`;
  }
  if (Type.isType(type, 'array')) return `an array of ${describeType((type as types.ArrayType).itemsType)}`;
  if (Type.isType(type, 'map')) return `an object map of ${describeType((type as types.MapType).valuesType as Type)}`;
  if (Type.isType(type, 'fixed')) return `a Buffer of ${(type as types.FixedType).size} bytes`;
  return PRIMITIVE_EXPECTATIONS[type.typeName] ?? type.typeName;
}

function reasonFor(value: unknown, type: Type): string {
  if (value === undefined) return `required, expected ${describeType(type)}`;
  if (Type.isType(type, 'record', 'error') && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const declared = new Set((type as types.RecordType).fields.map((field) => field.name));
    const extra = Object.keys(value).filter((key) => !declared.has(key));
    if (extra.length > 0) {
      return `field(s) ${extra.join(', ')} not declared in ${type.name ?? 'the record'} (declared: ${[...declared].join(', ')})`;
    }
  }
  if (Type.isType(type, 'logical')) {
    // The logical type's own conversion error says what it accepts (see lib/avro/timestamp-millis.ts).
    try {
      type.toBuffer(value);
    } catch (err) {
      if (err instanceof Error && !err.message.startsWith('invalid ')) return err.message;
    }
  }
  return `expected ${describeType(type)}, got ${describeValue(value)}`;
}

function collect(type: Type, value: unknown, noUndeclaredFields: boolean, into: Map<string, ValueIssue>): void {
  type.isValid(value, {
    noUndeclaredFields,
    errorHook: (path, invalid: unknown, at: Type) => {
      const issue = { path: formatPath(path), reason: reasonFor(invalid, at) };
      into.set(`${issue.path}\u0000${issue.reason}`, issue);
    },
  });
}

/** Every issue avsc finds in `value` against `type`; empty when the value can be encoded. */
export function findValueIssues(type: Type, value: unknown): ValueIssue[] {
  const issues = new Map<string, ValueIssue>();
  // avsc stops at a record with an undeclared field without looking inside
  // it, so a lenient pass finds the nested problems and a strict pass adds
  // the undeclared fields; both report the other problems, once here.
  collect(type, value, false, issues);
  collect(type, value, true, issues);
  return [...issues.values()];
}

/** Fast path first: isValid without a hook is cheap; the hook walk only runs for an invalid value. */
export function isValidValue(type: Type, value: unknown): boolean {
  return type.isValid(value, { noUndeclaredFields: true });
}

export function describeIssues(issues: readonly ValueIssue[]): string {
  return issues.map(({ path, reason }) => `${path || '(value)'}: ${reason}`).join('; ');
}
