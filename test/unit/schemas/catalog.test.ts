import { Type } from 'avsc';
import { AvroSchemaInput, parseAvroType } from '../../../lib/avro/options';
import { TOPIC, INTERNAL_TOPIC, TOPICS } from '../../../lib/topics';
import { ENVELOPE_RECORD, TOPIC_SCHEMAS } from '../../../schemas/catalog';
import { JsonObject } from '../../../schemas/json';
import { CatalogRecord, catalogRecords, getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import { subjectName } from '../../../schemas/subject';
import { walkSchema } from '../../../schemas/walk';
import { RECORD_FULL_NAMES, RecordName } from '../../../schemas/generated/types';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const catalog = loadSchemaCatalog();
const records = catalogRecords(catalog);
const byName = records.map((r): [string, CatalogRecord] => [r.name, r]);

/** Named types defined and referenced in a schema, in document order. */
function names(schema: JsonObject): { defined: string[]; dangling: string[] } {
  const defined: string[] = [];
  const dangling: string[] = [];
  walkSchema(schema, '', {
    definition: (_json, fullName) => defined.push(fullName),
    reference: (fullName) => {
      if (!defined.includes(fullName)) dangling.push(fullName);
    },
  });
  return { defined, dangling };
}

describe('schema catalog', () => {
  it('covers every Avro topic of lib/topics.ts (internal changelogs are JSON)', () => {
    const internal = new Set<string>(Object.values(INTERNAL_TOPIC));
    expect(Object.keys(catalog.topics).sort()).toEqual(
      TOPICS.map((t) => t.name)
        .filter((name) => !internal.has(name))
        .sort(),
    );
  });

  it('loads the records declared in schemas/catalog.ts, in order', () => {
    for (const [topic, spec] of Object.entries(TOPIC_SCHEMAS)) {
      expect([...catalog.topics[topic as keyof typeof TOPIC_SCHEMAS].records.keys()]).toEqual(spec.records);
    }
  });

  it('has a sample for every record, and the generated tags match the catalog', () => {
    expect(Object.keys(SAMPLE_RECORDS).sort()).toEqual(records.map((r) => r.name).sort());
    for (const record of records) expect(RECORD_FULL_NAMES[record.name as RecordName]).toBe(record.fullName);
  });

  it.each(byName)('%s: its sample is valid and round-trips through Avro binary', (name, record) => {
    const sample = SAMPLE_RECORDS[name as RecordName];
    const invalid: string[] = [];
    record.type.isValid(sample, { errorHook: (path) => invalid.push(path.join('.')) });
    expect(invalid).toEqual([]);
    expect(record.type.fromBuffer(record.type.toBuffer(sample))).toEqual(sample);
  });

  it.each(byName)('%s: standalone schema has no dangling names and parses on its own', (_name, record) => {
    const { defined, dangling } = names(record.schema);
    expect(dangling).toEqual([]);
    expect(new Set(defined).size).toBe(defined.length);
    // A fresh avsc registry: nothing but the schema text itself to resolve names from.
    const reparsed = parseAvroType(JSON.parse(record.schemaText) as AvroSchemaInput);
    expect(reparsed.equals(record.type)).toBe(true);
    expect(Type.forSchema(JSON.parse(record.schemaText) as AvroSchemaInput).name).toBe(record.fullName);
  });

  it('inlines the envelope once, as the first field of every event record', () => {
    for (const record of records.filter((r) => catalog.topics[r.topic].kind === 'event')) {
      const fields = record.schema['fields'] as JsonObject[];
      const envelope = fields[0]?.['type'] as JsonObject;
      expect(fields[0]?.['name']).toBe('envelope');
      expect(`${String(envelope['namespace'])}.${String(envelope['name'])}`).toBe(ENVELOPE_RECORD);
      expect(names(record.schema).defined.filter((n) => n === ENVELOPE_RECORD)).toHaveLength(1);
    }
  });

  it('keeps docs, defaults and logical types in the standalone schema', () => {
    const state = getCatalogRecord(catalog, TOPIC.orderState, 'com.streamfold.derived.OrderState');
    expect(state.schemaText).toContain('"logicalType":"timestamp-millis"');
    expect(state.schemaText).toContain('"default":"NONE"');
    // OrderItem comes from another namespace: inlined with its own namespace kept explicit.
    expect(state.schemaText).toContain('"name":"OrderItem","namespace":"com.streamfold.orders"');
  });

  it('gives every field a doc', () => {
    const undocumented: string[] = [];
    for (const definition of catalog.library.definitions.values()) {
      if (typeof definition.json['doc'] !== 'string') undocumented.push(definition.fullName);
      for (const field of (definition.json['fields'] ?? []) as JsonObject[]) {
        if (typeof field['doc'] !== 'string') undocumented.push(`${definition.fullName}.${String(field['name'])}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('never uses a floating point type (money is long cents)', () => {
    for (const record of records) expect(record.schemaText).not.toMatch(/"(float|double)"/);
  });

  it('fills defaulted fields when a producer leaves them out', () => {
    const declined = getCatalogRecord(catalog, TOPIC.paymentEvents, 'com.streamfold.payments.PaymentDeclined');
    const { country: _country, ...withoutCountry } = SAMPLE_RECORDS.PaymentDeclined;
    expect(declined.type.fromBuffer(declined.type.toBuffer(withoutCountry))).toMatchObject({ country: '' });
  });

  it('names a missing record helpfully', () => {
    expect(() => getCatalogRecord(catalog, TOPIC.orderEvents, 'com.streamfold.orders.OrderLost')).toThrow(
      /orders\.events carries no record com\.streamfold\.orders\.OrderLost \(it carries com\.streamfold\.orders\.OrderPlaced/,
    );
  });
});

describe('subject names', () => {
  it('follow TopicRecordNameStrategy: <topic>-<record full name>', () => {
    expect(subjectName('orders.events', 'com.streamfold.orders.OrderPlaced')).toBe('orders.events-com.streamfold.orders.OrderPlaced');
    for (const record of records) expect(record.subject).toBe(`${record.topic}-${record.fullName}`);
  });

  it('are unique across the catalog', () => {
    const subjects = records.map((r) => r.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });
});
