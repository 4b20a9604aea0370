/**
 * Avro naming rules (spec, "Names"), shared by the loader, the standalone
 * schema builder and the TypeScript generator so they resolve a short name
 * the same way avsc does.
 */
import { JsonObject } from './json';

export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export type NamedKind = 'record' | 'error' | 'enum' | 'fixed';
const NAMED_KINDS: ReadonlySet<string> = new Set<NamedKind>(['record', 'error', 'enum', 'fixed']);

export function isNamedKind(type: unknown): type is NamedKind {
  return typeof type === 'string' && NAMED_KINDS.has(type);
}

/**
 * Full name of a reference or definition: a dotted name is already full
 * (a leading dot means the null namespace), a short one takes the enclosing
 * namespace.
 */
export function qualify(name: string, namespace: string): string {
  if (name.includes('.')) return name.replace(/^\./, '');
  return namespace ? `${namespace}.${name}` : name;
}

export function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

export function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

/**
 * Full name of a named type definition. Per the spec a dotted `name` wins
 * over `namespace`, and a definition with neither inherits the namespace of
 * the type it is nested in.
 */
export function definitionFullName(definition: JsonObject, enclosingNamespace: string): string {
  const name = definition['name'];
  if (typeof name !== 'string') throw new Error('named type without a string "name"');
  if (name.includes('.')) return qualify(name, '');
  const namespace = definition['namespace'];
  return qualify(name, typeof namespace === 'string' ? namespace : enclosingNamespace);
}
