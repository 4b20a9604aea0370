/**
 * The records a piece of code writes or reads, by topic: the schema catalog
 * of schemas/ in production, hand-written schemas in tests (e.g. a v1 and a
 * v2 of one record under a test topic). The serde and the registry scripts
 * take a RecordSet, so neither is tied to the real topics or subjects.
 */
import { Type } from 'avsc';
import { AvroSchemaInput, parseAvroType } from '../avro/options';
import { TOPIC_SCHEMAS } from '../../schemas/catalog';
import { JsonObject } from '../../schemas/json';
import { SchemaCatalog, catalogRecords, loadSchemaCatalog } from '../../schemas/load';
import { shortName } from '../../schemas/names';
import { subjectName } from '../../schemas/subject';
import { CompatibilityLevel, DEFAULT_COMPATIBILITY, isCompatibilityLevel } from './compatibility-level';

export interface RecordSchema {
  /**
   * The topic as the code names it (schemas/catalog.ts), without any prefix:
   * what encode/decode calls and the generated TopicMessages are keyed by.
   */
  readonly topic: string;
  /** Avro full name; what the writer schema behind a schema id is matched on. */
  readonly fullName: string;
  /** Short name: the `type` tag of the tagged value { type, value }. */
  readonly name: string;
  /** Registry subject (TopicRecordNameStrategy: `<prefix><topic>-<full name>`, the Kafka topic's name). */
  readonly subject: string;
  /** JSON text registered for the subject. */
  readonly schemaText: string;
  /** Parsed with the project's avsc options: validates, encodes, and reads as the reader schema. */
  readonly type: Type;
  /** The level `scripts/schemas register` sets on the subject. */
  readonly compatibility: CompatibilityLevel;
}

interface TopicRecords {
  readonly byName: Map<string, RecordSchema>;
  readonly byFullName: Map<string, RecordSchema>;
}

export class RecordSet {
  private readonly topicsByName = new Map<string, TopicRecords>();
  readonly records: readonly RecordSchema[];

  constructor(records: Iterable<RecordSchema>) {
    this.records = [...records];
    for (const record of this.records) {
      let topic = this.topicsByName.get(record.topic);
      if (!topic) {
        topic = { byName: new Map(), byFullName: new Map() };
        this.topicsByName.set(record.topic, topic);
      }
      // One tag and one full name per topic: otherwise a decoded value or a
      // tagged value to encode would be ambiguous.
      const clash = topic.byName.get(record.name) ?? topic.byFullName.get(record.fullName);
      if (clash) {
        throw new Error(
          `topic ${record.topic} lists two records named ${record.name} (${clash.fullName} and ${record.fullName}); each record of a topic needs its own short name and full name`,
        );
      }
      topic.byName.set(record.name, record);
      topic.byFullName.set(record.fullName, record);
    }
  }

  topics(): string[] {
    return [...this.topicsByName.keys()];
  }

  /** The record a topic carries under this tag (short name). */
  byName(topic: string, name: string): RecordSchema | undefined {
    return this.topicsByName.get(topic)?.byName.get(name);
  }

  byFullName(topic: string, fullName: string): RecordSchema | undefined {
    return this.topicsByName.get(topic)?.byFullName.get(fullName);
  }

  /** "a, b, c" for error messages. */
  describeTopic(topic: string): string {
    const records = this.topicsByName.get(topic);
    if (!records) return `no records (known topics: ${this.topics().join(', ') || 'none'})`;
    return [...records.byFullName.keys()].join(', ');
  }
}

export interface RecordSetOptions {
  /**
   * The prefix of the Kafka topics (TOPIC_PREFIX): subjects are named after
   * the prefixed topics, so tests and staging copies get subjects of their
   * own. Records are still addressed by the unprefixed topic, so typed
   * encode/decode calls read the same under any prefix.
   */
  readonly topicPrefix?: string;
}

/**
 * Per-topic level from schemas/catalog.ts (FULL_TRANSITIVE for the event
 * topics), DEFAULT_COMPATIBILITY where a topic says nothing. Checked at run
 * time too: the catalog is data a person edits.
 */
function catalogLevel(topic: keyof typeof TOPIC_SCHEMAS): CompatibilityLevel {
  const level: unknown = TOPIC_SCHEMAS[topic].compatibility;
  if (level === undefined) return DEFAULT_COMPATIBILITY;
  if (!isCompatibilityLevel(level)) {
    throw new Error(`schemas/catalog.ts: topic ${topic} has compatibility ${JSON.stringify(level)}, not a registry level`);
  }
  return level;
}

/** The records of schemas/, with the subjects of (optionally prefixed) topics. */
export function catalogRecordSet(catalog: SchemaCatalog = loadSchemaCatalog(), options: RecordSetOptions = {}): RecordSet {
  const prefix = options.topicPrefix ?? '';
  return new RecordSet(
    catalogRecords(catalog).map((record) => ({
      topic: record.topic,
      fullName: record.fullName,
      name: record.name,
      subject: subjectName(`${prefix}${record.topic}`, record.fullName),
      schemaText: record.schemaText,
      type: record.type,
      compatibility: catalogLevel(record.topic),
    })),
  );
}

export interface InlineRecordOptions extends RecordSetOptions {
  readonly compatibility?: CompatibilityLevel;
}

/** A record under a topic from a self-contained schema given inline (tests, tools). */
export function recordSchema(topic: string, schema: JsonObject, options: InlineRecordOptions = {}): RecordSchema {
  const type = parseAvroType(schema as unknown as AvroSchemaInput);
  if (type.name === undefined || !Type.isType(type, 'record')) {
    throw new Error(`a topic's schema must be a named record, got ${JSON.stringify(schema).slice(0, 120)}`);
  }
  return {
    topic,
    fullName: type.name,
    name: shortName(type.name),
    subject: subjectName(`${options.topicPrefix ?? ''}${topic}`, type.name),
    schemaText: JSON.stringify(schema),
    type,
    compatibility: options.compatibility ?? DEFAULT_COMPATIBILITY,
  };
}
