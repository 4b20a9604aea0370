/**
 * Renders schemas/generated/types.ts from the schema catalog: an interface
 * per record, a type per enum, and per topic a union of its records tagged
 * with their short name. Pure (catalog in, text out) so the unit tests can
 * compare it with the committed file.
 */
import * as path from 'path';
import { AVRO_LOGICAL_TYPES } from '../../lib/avro/options';
import { TIMESTAMP_MILLIS } from '../../lib/avro/timestamp-millis';
import { TOPIC, TopicName } from '../../lib/topics';
import { CATALOG_TOPICS } from '../catalog';
import { SchemaError } from '../errors';
import { JsonObject, JsonValue, isJsonObject } from '../json';
import { NamedDefinition } from '../library';
import { SchemaCatalog } from '../load';
import { definitionFullName, isNamedKind, namespaceOf, qualify, shortName } from '../names';

export const GENERATED_TYPES_FILE = path.join(__dirname, '..', 'generated', 'types.ts');
export const GENERATED_TYPES_DISPLAY = 'schemas/generated/types.ts';
export const REGENERATE_COMMAND = 'npx tsx scripts/gen-types.ts';

const PRIMITIVE_TS: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  // avsc's default long is a JS number and refuses values beyond 2^53 rather than lose precision.
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

/** What each registered logical type (lib/avro/options.ts) decodes to. */
const LOGICAL_TS: Readonly<Record<string, string>> = {
  [TIMESTAMP_MILLIS]: 'Date',
};

const HEADER = `/*
 * GENERATED FILE, DO NOT EDIT. Source: the .avsc files under schemas/ and
 * the topic → records list in schemas/catalog.ts.
 * Regenerate: ${REGENERATE_COMMAND}   Check: ${REGENERATE_COMMAND} --check
 *
 * Types describe values as avsc decodes them with the project's options
 * (lib/avro/options.ts):
 * - long, int, float, double → number (avsc refuses longs beyond 2^53);
 * - timestamp-millis → Date (encoding also accepts epoch millis or an
 *   ISO-8601 string with a zone, but decoding always gives a Date);
 * - enum → union of its symbols as string literals;
 * - ["null", T] → T | null (unions are never wrapped);
 * - array → readonly T[], nested record → its interface;
 * - fields with a default are still required here: a decoded value always
 *   has them (avsc fills the default when encoding a value that lacks one).
 *
 * Telling records of one topic apart: several record types share a topic,
 * and an Avro value does not say which record it is (the Confluent wire
 * format names the writer schema by id, which the serde maps to a record).
 * So each topic has a union of wrappers { type, value } where \`type\` is the
 * record's short name (unique across schemas/) and \`value\` is the record
 * exactly as encoded, untouched:
 *
 *   switch (event.type) {
 *     case 'OrderPlaced': return placed(event.value); // event.value: OrderPlaced
 *   }
 *
 * RECORD_FULL_NAMES maps the tag to the Avro full name (registry subject:
 * \`<topic>-<full name>\`), TopicMessages maps a topic to its union.
 */
`;

function escapeDoc(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

function docBlock(lines: readonly string[]): string {
  const body = lines.map((line) => (line ? ` * ${escapeDoc(line)}` : ' *')).join('\n');
  return `/**\n${body}\n */\n`;
}

function docOf(json: JsonObject): string | undefined {
  const doc = json['doc'];
  return typeof doc === 'string' ? doc : undefined;
}

class Renderer {
  constructor(private readonly catalog: SchemaCatalog) {
    for (const logical of Object.keys(AVRO_LOGICAL_TYPES)) {
      if (!(logical in LOGICAL_TS)) {
        throw new Error(`logical type ${logical} is registered in lib/avro/options.ts but has no TypeScript mapping in schemas/codegen/render-types.ts`);
      }
    }
  }

  /** TypeScript for a schema node; named types by their (declared elsewhere) short name. */
  typeOf(node: JsonValue, namespace: string, file: string, at: string): string {
    if (typeof node === 'string') {
      const primitive = PRIMITIVE_TS[node];
      if (primitive !== undefined) return primitive;
      const fullName = qualify(node, namespace);
      if (!this.catalog.library.definitions.has(fullName)) {
        throw new SchemaError(file, `field ${at} refers to unknown type ${fullName}`, 'Fix the name or add the type.');
      }
      return shortName(fullName);
    }
    if (Array.isArray(node)) {
      const branches = node.map((branch) => this.typeOf(branch, namespace, file, at));
      // T | null reads better than null | T, whatever the branch order in Avro.
      const sorted = [...branches.filter((b) => b !== 'null'), ...branches.filter((b) => b === 'null')];
      return [...new Set(sorted)].join(' | ');
    }
    if (!isJsonObject(node)) throw new SchemaError(file, `field ${at} has an invalid type ${JSON.stringify(node)}`, 'Fix the schema.');
    const type = node['type'];
    if (isNamedKind(type)) return shortName(definitionFullName(node, namespace));
    if (type === 'array') {
      const items = this.typeOf(node['items'] ?? null, namespace, file, `${at}[]`);
      return items.includes(' ') ? `readonly (${items})[]` : `readonly ${items}[]`;
    }
    if (type === 'map') {
      return `{ readonly [key: string]: ${this.typeOf(node['values'] ?? null, namespace, file, `${at}{}`)} }`;
    }
    const logical = node['logicalType'];
    if (typeof logical === 'string' && LOGICAL_TS[logical] !== undefined && logical in AVRO_LOGICAL_TYPES) {
      return LOGICAL_TS[logical];
    }
    // Unregistered logical types decode as their underlying type.
    return this.typeOf(type ?? null, namespace, file, at);
  }

  declaration(definition: NamedDefinition): string {
    const { json, fullName, file } = definition;
    const name = shortName(fullName);
    const doc = docOf(json);
    const origin = `Avro ${definition.kind} \`${fullName}\` (${file}).`;
    const header = docBlock(doc ? [doc, '', origin] : [origin]);
    if (definition.kind === 'enum') {
      const symbols = json['symbols'];
      const literals = Array.isArray(symbols) ? symbols.map((s) => `'${String(s)}'`) : [];
      return `${header}export type ${name} = ${literals.join(' | ')};\n`;
    }
    if (definition.kind === 'fixed') return `${header}export type ${name} = Buffer;\n`;
    const namespace = namespaceOf(fullName);
    const fields = Array.isArray(json['fields']) ? json['fields'] : [];
    const members = fields.filter(isJsonObject).map((field) => {
      const fieldName = String(field['name']);
      const fieldDoc = docOf(field);
      const comment = fieldDoc ? `  /** ${escapeDoc(fieldDoc)} */\n` : '';
      return `${comment}  readonly ${fieldName}: ${this.typeOf(field['type'] ?? null, namespace, file, fieldName)};\n`;
    });
    return `${header}export interface ${name} {\n${members.join('')}}\n`;
  }

  render(): string {
    const parts: string[] = [HEADER, "import { TOPIC } from '../../lib/topics';\n"];
    for (const definition of this.catalog.library.definitions.values()) parts.push(this.declaration(definition));

    const records = CATALOG_TOPICS.flatMap((topic) => [...this.catalog.topics[topic].records.values()]);
    const unique = [...new Map(records.map((r) => [r.name, r])).values()];
    parts.push(
      '/** Avro full name of every record a topic carries, by its tag (short name). */\n' +
        'export const RECORD_FULL_NAMES = {\n' +
        unique.map((r) => `  ${r.name}: '${r.fullName}',\n`).join('') +
        '} as const;\n',
      'export type RecordName = keyof typeof RECORD_FULL_NAMES;\n',
      '/** TypeScript type of every record a topic carries, by its tag. */\n' +
        'export interface RecordTypes {\n' +
        unique.map((r) => `  ${r.name}: ${r.name};\n`).join('') +
        '}\n',
    );
    for (const topic of CATALOG_TOPICS) {
      const entry = this.catalog.topics[topic];
      const members = [...entry.records.values()].map((r) => `  | { readonly type: '${r.name}'; readonly value: ${r.name} }`);
      parts.push(`/** A value of the ${topic} topic, tagged with its record's short name. */\nexport type ${entry.unionName} =\n${members.join('\n')};\n`);
    }
    parts.push(
      '/** The tagged union of each topic. */\n' +
        'export interface TopicMessages {\n' +
        CATALOG_TOPICS.map((topic) => `  [TOPIC.${topicKey(topic)}]: ${this.catalog.topics[topic].unionName};\n`).join('') +
        '}\n',
    );
    return parts.join('\n');
  }
}

/** The key of TOPIC holding a topic name, so the generated file uses the constant rather than repeating the string. */
function topicKey(topic: TopicName): string {
  const entry = Object.entries(TOPIC).find(([, name]) => name === topic);
  if (!entry) throw new Error(`topic ${topic} is not in lib/topics.ts TOPIC`);
  return entry[0];
}

export function renderTypes(catalog: SchemaCatalog): string {
  return new Renderer(catalog).render();
}
