/**
 * Reads every .avsc file under schemas/ and indexes the named types they
 * define (top-level records and types nested in them) by full name.
 *
 * Layout rules, checked here so a misplaced file fails loudly instead of
 * being silently ignored: one record per file, the file is named after the
 * record, and it sits in the folder named after the last segment of its
 * namespace (com.streamfold.orders.OrderPlaced → schemas/orders/OrderPlaced.avsc).
 */
import * as fs from 'fs';
import * as path from 'path';
import { SchemaError } from './errors';
import { JsonObject, JsonValue, isJsonObject } from './json';
import { NamedKind, namespaceOf, shortName } from './names';
import { walkSchema } from './walk';

/** schemas/ itself: this file lives in it. */
export const SCHEMAS_DIR = __dirname;
export const AVSC_EXTENSION = '.avsc';

export interface NamedDefinition {
  readonly fullName: string;
  readonly kind: NamedKind;
  /** The definition as written, possibly relying on an inherited namespace. */
  readonly json: JsonObject;
  /** Display path of the defining file, e.g. schemas/orders/OrderPlaced.avsc. */
  readonly file: string;
  /** True for the record a file is about, false for types nested in it. */
  readonly topLevel: boolean;
}

export interface SchemaLibrary {
  readonly dir: string;
  /** Every named type, by full name, in file order then definition order. */
  readonly definitions: ReadonlyMap<string, NamedDefinition>;
}

export function expectedFile(fullName: string, dir = SCHEMAS_DIR): string {
  const folder = shortName(namespaceOf(fullName));
  return displayPath(dir, path.join(dir, folder, `${shortName(fullName)}${AVSC_EXTENSION}`));
}

function displayPath(dir: string, file: string): string {
  return path.join(path.basename(dir), path.relative(dir, file)).split(path.sep).join('/');
}

function listAvscFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listAvscFiles(full));
    else if (entry.isFile() && entry.name.endsWith(AVSC_EXTENSION)) found.push(full);
  }
  // Sorted so the catalog, error order and generated output never depend on the file system.
  return found.sort();
}

function readJson(file: string, shown: string): JsonValue {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new SchemaError(shown, `is not valid JSON (${(err as Error).message})`, 'Fix the syntax.');
  }
}

function checkTopLevel(json: JsonValue, file: string, shown: string, dir: string): JsonObject {
  if (!isJsonObject(json) || json['type'] !== 'record') {
    throw new SchemaError(shown, 'must contain one record schema ({"type": "record", …}) at top level', 'Put each record in its own file.');
  }
  const name = json['name'];
  const namespace = json['namespace'];
  if (typeof name !== 'string' || name.includes('.')) {
    throw new SchemaError(shown, 'the record needs a short "name" (no dots)', 'Set "name" to the record name and "namespace" separately.');
  }
  if (typeof namespace !== 'string' || namespace === '') {
    // Required so the record means the same thing when inlined into another
    // record's schema, where it would otherwise inherit that namespace.
    throw new SchemaError(shown, 'the record has no "namespace"', `Add "namespace": "com.streamfold.${path.basename(path.dirname(file))}".`);
  }
  const expected = expectedFile(`${namespace}.${name}`, dir);
  if (expected !== shown) {
    throw new SchemaError(
      shown,
      `defines ${namespace}.${name}, which belongs in ${expected}`,
      'Rename or move the file, or fix "name"/"namespace", so the file name is the record name and the folder the last namespace segment.',
    );
  }
  return json;
}

export function loadSchemaLibrary(dir = SCHEMAS_DIR): SchemaLibrary {
  if (!fs.existsSync(dir)) {
    throw new SchemaError(dir, 'schema directory not found', 'Run from the repository, or pass the schemas/ directory.');
  }
  const definitions = new Map<string, NamedDefinition>();
  for (const file of listAvscFiles(dir)) {
    const shown = displayPath(dir, file);
    const json = checkTopLevel(readJson(file, shown), file, shown, dir);
    walkSchema(json, '', {
      definition(definition, fullName, at) {
        const existing = definitions.get(fullName);
        if (existing) {
          throw new SchemaError(
            shown,
            `defines ${fullName}${at ? ` (at ${at})` : ''}, already defined in ${existing.file}`,
            'Define each named type once and refer to it by its full name elsewhere.',
          );
        }
        definitions.set(fullName, {
          fullName,
          kind: definition['type'] as NamedKind,
          json: definition,
          file: shown,
          topLevel: definition === json,
        });
      },
    });
  }
  return { dir, definitions };
}
