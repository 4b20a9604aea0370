/**
 * Read-only traversal of an Avro schema in JSON form, tracking the enclosing
 * namespace (needed to qualify short names) and a field path for messages
 * such as `items[].sku`.
 */
import { JsonObject, JsonValue, isJsonObject } from './json';
import { PRIMITIVE_TYPES, definitionFullName, isNamedKind, namespaceOf, qualify } from './names';

export interface SchemaVisitor {
  /** A named type defined in place (record, error, enum, fixed). */
  definition?(definition: JsonObject, fullName: string, path: string): void;
  /** A name referring to a type defined elsewhere (not a primitive). */
  reference?(fullName: string, path: string): void;
}

export function joinPath(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

export function walkSchema(node: JsonValue, namespace: string, visitor: SchemaVisitor, path = ''): void {
  if (typeof node === 'string') {
    if (!PRIMITIVE_TYPES.has(node)) visitor.reference?.(qualify(node, namespace), path);
    return;
  }
  if (Array.isArray(node)) {
    for (const branch of node) walkSchema(branch, namespace, visitor, path);
    return;
  }
  if (!isJsonObject(node)) return;
  const type = node['type'];
  if (isNamedKind(type)) {
    const fullName = definitionFullName(node, namespace);
    visitor.definition?.(node, fullName, path);
    // Names inside a named type resolve against that type's namespace.
    const inner = namespaceOf(fullName);
    const fields = node['fields'];
    if (Array.isArray(fields)) {
      for (const field of fields) {
        if (isJsonObject(field) && typeof field['name'] === 'string' && field['type'] !== undefined) {
          walkSchema(field['type'], inner, visitor, joinPath(path, field['name']));
        }
      }
    }
    return;
  }
  if (type === 'array' && node['items'] !== undefined) {
    walkSchema(node['items'], namespace, visitor, `${path}[]`);
  } else if (type === 'map' && node['values'] !== undefined) {
    walkSchema(node['values'], namespace, visitor, `${path}{}`);
  } else if (type !== undefined) {
    // { "type": "long", "logicalType": … } or { "type": "SomeName" }.
    walkSchema(type, namespace, visitor, path);
  }
}
