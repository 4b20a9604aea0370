/**
 * Turns one record of the library into a self-contained schema: every named
 * type it uses from another file is inlined at its first occurrence and
 * referred to by full name after that, exactly as Avro requires of a single
 * schema document. The result registers in a Confluent-API registry without
 * schema references (which not every registry or client handles the same way)
 * and parses in avsc with no registry of its own.
 *
 * Works on the JSON as written rather than on avsc's `type.schema()` output,
 * so docs, defaults and any custom attributes survive unchanged.
 */
import { SchemaError } from './errors';
import { JsonObject, JsonValue, isJsonObject } from './json';
import { PRIMITIVE_TYPES, definitionFullName, isNamedKind, namespaceOf, qualify } from './names';
import { NamedDefinition, SchemaLibrary, expectedFile } from './library';
import { joinPath } from './walk';

function where(path: string): string {
  return path ? `field ${path}` : 'the record';
}

/**
 * A copy with an explicit namespace, placed right after "name": once
 * inlined into another record the definition would otherwise inherit that
 * record's namespace and change its full name.
 */
function withNamespace(definition: JsonObject, namespace: string): JsonObject {
  const name = definition['name'];
  if (typeof name === 'string' && name.includes('.')) return definition;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(definition)) {
    if (key === 'namespace') continue;
    copy[key] = value;
    if (key === 'name') copy['namespace'] = namespace;
  }
  return copy;
}

export function standaloneSchema(library: SchemaLibrary, fullName: string): JsonObject {
  const root = library.definitions.get(fullName);
  if (!root) {
    throw new SchemaError(expectedFile(fullName, library.dir), `no file defines ${fullName}`, 'Create the file, or fix the record name.');
  }
  const defined = new Set<string>();

  function inline(definition: NamedDefinition, path: string): JsonValue {
    const namespace = namespaceOf(definition.fullName);
    return transform(withNamespace(definition.json, namespace), namespace, definition.file, path);
  }

  function transform(node: JsonValue, namespace: string, file: string, path: string): JsonValue {
    if (typeof node === 'string') {
      if (PRIMITIVE_TYPES.has(node)) return node;
      const name = qualify(node, namespace);
      // Full names from here on: the text may end up under another namespace.
      if (defined.has(name)) return name;
      const definition = library.definitions.get(name);
      if (!definition) {
        throw new SchemaError(
          file,
          `${where(path)} refers to type ${JSON.stringify(node)} (${name}), which no .avsc file under ${library.dir} defines`,
          `Fix the name (types from another namespace need their full name), or add ${expectedFile(name, library.dir)}.`,
        );
      }
      return inline(definition, path);
    }
    if (Array.isArray(node)) return node.map((branch) => transform(branch, namespace, file, path));
    if (!isJsonObject(node)) return node;

    const type = node['type'];
    if (isNamedKind(type)) {
      const name = definitionFullName(node, namespace);
      if (defined.has(name)) {
        throw new SchemaError(
          file,
          `${where(path)} defines ${name}, which this schema already defined earlier (directly or through an inlined type)`,
          'Refer to the type by its full name instead of defining it again.',
        );
      }
      defined.add(name);
      const inner = namespaceOf(name);
      const fields = node['fields'];
      if (!Array.isArray(fields)) return { ...node };
      return {
        ...node,
        fields: fields.map((field) => {
          if (!isJsonObject(field) || typeof field['name'] !== 'string' || field['type'] === undefined) {
            throw new SchemaError(file, `record ${name} has a field without a "name" or "type"`, 'Give every field a name and a type.');
          }
          return { ...field, type: transform(field['type'], inner, file, joinPath(path, field['name'])) };
        }),
      };
    }
    if (type === 'array' && node['items'] !== undefined) {
      return { ...node, items: transform(node['items'], namespace, file, `${path}[]`) };
    }
    if (type === 'map' && node['values'] !== undefined) {
      return { ...node, values: transform(node['values'], namespace, file, `${path}{}`) };
    }
    if (type !== undefined) return { ...node, type: transform(type, namespace, file, path) };
    return node;
  }

  const schema = inline(root, '');
  if (!isJsonObject(schema)) throw new Error(`standalone schema of ${fullName} is not an object`);
  return schema;
}
