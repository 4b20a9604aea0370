/**
 * The one part of validation avsc's writer does not do: refusing record
 * fields the schema does not declare (a misspelt optional field would
 * otherwise be dropped and its default written). Everything else (types,
 * ranges, enum symbols, union branches, missing fields) avsc's `encode`
 * checks as it writes, so the encoder's hot path runs this cheap walk over
 * the records of a value and then writes it, instead of a full isValid walk
 * followed by the write.
 *
 * The check is compiled once per type into a function that only visits
 * positions where a record can occur, and that also requires every record to
 * be an object (avsc's record writer would read fields of a string as
 * missing). A logical type is treated as a leaf: its underlying value is
 * produced by its own conversion.
 */
import { Type, types } from 'avsc';

/** True when every record in the value is an object with declared fields only. */
export type DeclaredFieldsCheck = (value: unknown) => boolean;

const ALWAYS: DeclaredFieldsCheck = () => true;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const compiled = new WeakMap<Type, DeclaredFieldsCheck>();

/** The check for values of `type` (compiled on first use, then cached). */
export function declaredFieldsCheck(type: Type): DeclaredFieldsCheck {
  let check = compiled.get(type);
  if (check === undefined) {
    // A placeholder while compiling, so a recursive record refers to its own check.
    let resolved: DeclaredFieldsCheck = ALWAYS;
    compiled.set(type, (value) => resolved(value));
    resolved = compile(type);
    compiled.set(type, resolved);
    check = resolved;
  }
  return check;
}

function compile(type: Type): DeclaredFieldsCheck {
  if (Type.isType(type, 'record', 'error')) {
    const fields = (type as types.RecordType).fields;
    const declared = new Set(fields.map((field) => field.name));
    const nested = fields.map((field) => ({ name: field.name, check: declaredFieldsCheck(field.type) })).filter((field) => field.check !== ALWAYS);
    return (value) => {
      if (!isPlainObject(value)) return false;
      // for…in allocates nothing, unlike Object.keys; this runs for every record of every event.
      for (const key in value) if (!declared.has(key)) return false;
      for (const field of nested) {
        const fieldValue = value[field.name];
        if (fieldValue !== undefined && !field.check(fieldValue)) return false;
      }
      return true;
    };
  }
  if (Type.isType(type, 'array')) {
    const items = declaredFieldsCheck((type as types.ArrayType).itemsType);
    if (items === ALWAYS) return ALWAYS;
    return (value) => !Array.isArray(value) || value.every(items);
  }
  if (Type.isType(type, 'map')) {
    const values = declaredFieldsCheck((type as types.MapType).valuesType as Type);
    if (values === ALWAYS) return ALWAYS;
    return (value) => {
      if (!isPlainObject(value)) return true;
      for (const key in value) if (!values(value[key])) return false;
      return true;
    };
  }
  if (Type.isType(type, 'union')) {
    // Unwrapped unions have at most one branch per kind of JavaScript value:
    // the object branch (record or map) and the array branch are the ones that can hold records.
    let objectBranch: DeclaredFieldsCheck = ALWAYS;
    let arrayBranch: DeclaredFieldsCheck = ALWAYS;
    for (const branch of (type as types.UnwrappedUnionType).types) {
      if (Type.isType(branch, 'record', 'error', 'map')) objectBranch = declaredFieldsCheck(branch);
      else if (Type.isType(branch, 'array')) arrayBranch = declaredFieldsCheck(branch);
    }
    if (objectBranch === ALWAYS && arrayBranch === ALWAYS) return ALWAYS;
    return (value) => (Array.isArray(value) ? arrayBranch(value) : isPlainObject(value) ? objectBranch(value) : true);
  }
  return ALWAYS;
}
