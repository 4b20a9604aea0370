/**
 * Can data written with one schema be read with another? avsc's
 * createResolver is the authority (it is what decoding will use); this only
 * adds the path of the field that breaks, because avsc's message names a
 * record and a field but not where the record sits (e.g. `envelope.producer`).
 *
 * BACKWARD compatibility of a new schema is checkReadable(next, previous);
 * FORWARD is checkReadable(previous, next). scripts/schemas check uses this
 * before anything reaches the registry.
 */
import { Type, types } from 'avsc';

function describe(path: string): string {
  return path ? `field ${path}` : 'the record';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function resolves(reader: Type, writer: Type): boolean {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
}

/** Reader field names the writer may have used: its name and its aliases. */
function namesOf(field: types.Field): string[] {
  return [field.name, ...(field.aliases ?? [])];
}

/** Avro matches records by full name or a reader alias (avsc: hasCompatibleName). */
function sameName(reader: Type, writer: Type): boolean {
  return writer.name === undefined || [reader.name, ...(reader.aliases ?? [])].includes(writer.name);
}

/** Descends into the first nested part that does not resolve, to name it; otherwise describes `path` itself. */
function locate(reader: Type, writer: Type, path: string, cause: unknown): string {
  const records = Type.isType(reader, 'record', 'error') && Type.isType(writer, 'record', 'error');
  // A renamed record fails as a whole: its fields are not the problem.
  if (records && sameName(reader, writer)) {
    const readerRecord = reader as types.RecordType;
    const writerFields = new Map((writer as types.RecordType).fields.map((f) => [f.name, f]));
    for (const field of readerRecord.fields) {
      const at = path ? `${path}.${field.name}` : field.name;
      const match = namesOf(field)
        .map((name) => writerFields.get(name))
        .find((f): f is types.Field => f !== undefined);
      if (!match) {
        if (field.defaultValue() === undefined) {
          return `field ${at}: the reader requires it (no default) but the writer schema has no such field; give it a default in the reader or keep it in the writer`;
        }
        continue;
      }
      if (!resolves(field.type, match.type)) return locate(field.type, match.type, at, cause);
    }
  } else if (Type.isType(reader, 'array') && Type.isType(writer, 'array')) {
    const r = (reader as types.ArrayType).itemsType;
    const w = (writer as types.ArrayType).itemsType;
    if (!resolves(r, w)) return locate(r, w, `${path}[]`, cause);
  } else if (Type.isType(reader, 'map') && Type.isType(writer, 'map')) {
    const r = (reader as types.MapType).valuesType as Type;
    const w = (writer as types.MapType).valuesType as Type;
    if (!resolves(r, w)) return locate(r, w, `${path}{}`, cause);
  }
  let detail = errorMessage(cause);
  try {
    reader.createResolver(writer);
  } catch (err) {
    // The error for this level, more precise than the top-level one.
    detail = errorMessage(err);
  }
  return `${describe(path)}: ${detail}`;
}

/**
 * null when data written with `writer` can be read with `reader`, otherwise
 * a human-readable reason naming the field path that breaks.
 */
export function checkReadable(reader: Type, writer: Type): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (err) {
    return locate(reader, writer, '', err);
  }
}
