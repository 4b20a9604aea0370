/**
 * The schema catalog: for every topic, its records with their standalone
 * schema (what gets registered) and the avsc Type parsed from it with the
 * project's logical types (what encodes and decodes).
 *
 *   const catalog = loadSchemaCatalog();
 *   const placed = getCatalogRecord(catalog, TOPIC.orderEvents, 'com.streamfold.orders.OrderPlaced');
 *   registry.register({ type: SchemaType.AVRO, schema: placed.schemaText }, { subject: placed.subject });
 */
import { Type } from 'avsc';
import { AvroSchemaInput, parseAvroType } from '../lib/avro/options';
import { TopicName } from '../lib/topics';
import { CATALOG_TOPICS, ENVELOPE_FIELD, ENVELOPE_RECORD, TOPIC_SCHEMAS, TopicKind } from './catalog';
import { SchemaError } from './errors';
import { JsonObject, isJsonObject } from './json';
import { qualify, shortName } from './names';
import { NamedDefinition, SCHEMAS_DIR, SchemaLibrary, expectedFile, loadSchemaLibrary } from './library';
import { standaloneSchema } from './standalone';
import { subjectName } from './subject';
import { walkSchema } from './walk';

const CATALOG_FILE = 'schemas/catalog.ts';

export interface CatalogRecord {
  readonly topic: TopicName;
  /** Avro full name, e.g. com.streamfold.orders.OrderPlaced. */
  readonly fullName: string;
  /** Short name, also the tag of the generated TypeScript union member. */
  readonly name: string;
  /** Registry subject (TopicRecordNameStrategy). */
  readonly subject: string;
  /** Display path of the .avsc file. */
  readonly file: string;
  /** Self-contained schema: every named type inlined at first use. */
  readonly schema: JsonObject;
  /** JSON text of `schema`, as sent to the registry. */
  readonly schemaText: string;
  /** Parsed with timestamp-millis as Date and unwrapped unions. */
  readonly type: Type;
}

export interface TopicCatalog {
  readonly topic: TopicName;
  readonly kind: TopicKind;
  readonly unionName: string;
  /** Records by full name, in catalog order. */
  readonly records: ReadonlyMap<string, CatalogRecord>;
}

export interface SchemaCatalog {
  readonly library: SchemaLibrary;
  readonly topics: { readonly [T in TopicName]: TopicCatalog };
}

function checkEnvelopeFirst(definition: NamedDefinition, topic: TopicName): void {
  const fields = definition.json['fields'];
  const first = Array.isArray(fields) ? fields[0] : undefined;
  const name = isJsonObject(first) ? first['name'] : undefined;
  const type = isJsonObject(first) ? first['type'] : undefined;
  // By name, not inlined: the envelope is defined once, in common/Envelope.avsc.
  const ok = name === ENVELOPE_FIELD && typeof type === 'string' && qualify(type, '') === ENVELOPE_RECORD;
  if (!ok) {
    throw new SchemaError(
      definition.file,
      `${definition.fullName} is on event topic ${topic}, so its first field must be the envelope, found ${
        first === undefined ? 'no fields' : JSON.stringify(first)
      }`,
      `Make the first field {"name": "${ENVELOPE_FIELD}", "type": "${ENVELOPE_RECORD}", "doc": "…"} (referenced by full name, not inlined).`,
    );
  }
}

function parse(definition: NamedDefinition, schema: JsonObject): Type {
  try {
    // Untyped JSON from a file: avsc is the one that validates its shape.
    return parseAvroType(schema as unknown as AvroSchemaInput);
  } catch (err) {
    throw new SchemaError(definition.file, `avsc rejects ${definition.fullName}: ${(err as Error).message}`, 'Fix the schema.');
  }
}

function buildRecord(library: SchemaLibrary, topic: TopicName, kind: TopicKind, fullName: string): CatalogRecord {
  const definition = library.definitions.get(fullName);
  if (!definition) {
    throw new SchemaError(
      CATALOG_FILE,
      `topic ${topic} lists record ${fullName}, but no file defines it`,
      `Create ${expectedFile(fullName, library.dir)}, or fix the name in ${CATALOG_FILE}.`,
    );
  }
  if (!definition.topLevel || definition.kind !== 'record') {
    throw new SchemaError(
      CATALOG_FILE,
      `topic ${topic} lists ${fullName}, which is a ${definition.kind} nested in ${definition.file}, not a record of its own`,
      `Move it to ${expectedFile(fullName, library.dir)}.`,
    );
  }
  if (kind === 'event') checkEnvelopeFirst(definition, topic);
  const schema = standaloneSchema(library, fullName);
  return {
    topic,
    fullName,
    name: shortName(fullName),
    subject: subjectName(topic, fullName),
    file: definition.file,
    schema,
    schemaText: JSON.stringify(schema),
    type: parse(definition, schema),
  };
}

/**
 * Generated TypeScript names types by their short name, so two types may
 * not share one; and a file nothing uses is most likely a record someone
 * forgot to list in the catalog.
 */
function checkLibrary(library: SchemaLibrary, records: readonly CatalogRecord[]): void {
  const byShortName = new Map<string, NamedDefinition>();
  for (const definition of library.definitions.values()) {
    const short = shortName(definition.fullName);
    const clash = byShortName.get(short);
    if (clash) {
      throw new SchemaError(
        definition.file,
        `${definition.fullName} has the same short name as ${clash.fullName} (${clash.file}); generated TypeScript names types by short name`,
        'Rename one of them.',
      );
    }
    byShortName.set(short, definition);
  }
  const used = new Set<string>();
  for (const record of records) {
    walkSchema(record.schema, '', { definition: (_json, name) => used.add(name) });
  }
  for (const definition of library.definitions.values()) {
    if (definition.topLevel && !used.has(definition.fullName)) {
      throw new SchemaError(
        definition.file,
        `${definition.fullName} is neither listed for a topic in ${CATALOG_FILE} nor used by a listed record`,
        `List it under its topic in ${CATALOG_FILE}, or delete the file.`,
      );
    }
  }
}

export function loadSchemaCatalog(dir = SCHEMAS_DIR): SchemaCatalog {
  const library = loadSchemaLibrary(dir);
  const all: CatalogRecord[] = [];
  const topics = {} as { [T in TopicName]: TopicCatalog };
  for (const topic of CATALOG_TOPICS) {
    const spec = TOPIC_SCHEMAS[topic];
    const records = new Map<string, CatalogRecord>();
    for (const fullName of spec.records) {
      const record = buildRecord(library, topic, spec.kind, fullName);
      records.set(fullName, record);
      all.push(record);
    }
    topics[topic] = { topic, kind: spec.kind, unionName: spec.unionName, records };
  }
  checkLibrary(library, all);
  return { library, topics };
}

/** Every record of every topic, in catalog order. */
export function catalogRecords(catalog: SchemaCatalog): CatalogRecord[] {
  return CATALOG_TOPICS.flatMap((topic) => [...catalog.topics[topic].records.values()]);
}

export function getCatalogRecord(catalog: SchemaCatalog, topic: TopicName, fullName: string): CatalogRecord {
  const record = catalog.topics[topic].records.get(fullName);
  if (!record) {
    const known = [...catalog.topics[topic].records.keys()].join(', ');
    throw new Error(`topic ${topic} carries no record ${fullName} (it carries ${known}); see ${CATALOG_FILE}`);
  }
  return record;
}
