import { Type } from 'avsc';
import { AvroSchemaInput, parseAvroType } from '../../../lib/avro/options';
import { TOPIC } from '../../../lib/topics';
import { checkReadable } from '../../../schemas/compatibility';
import { JsonObject } from '../../../schemas/json';
import { getCatalogRecord, loadSchemaCatalog } from '../../../schemas/load';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const catalog = loadSchemaCatalog();
const placed = getCatalogRecord(catalog, TOPIC.orderEvents, 'com.streamfold.orders.OrderPlaced');

type Fields = JsonObject[];

/** A copy of OrderPlaced's standalone schema with its fields (or the envelope's) changed. */
function variant(change: (fields: Fields, envelopeFields: Fields) => void): Type {
  const schema = JSON.parse(placed.schemaText) as JsonObject;
  const fields = schema['fields'] as Fields;
  const envelope = fields[0]!['type'] as JsonObject;
  change(fields, envelope['fields'] as Fields);
  return parseAvroType(schema as unknown as AvroSchemaInput);
}

describe('checkReadable', () => {
  const v1 = placed.type;

  it('accepts the same schema', () => {
    expect(checkReadable(v1, v1)).toBeNull();
  });

  it('v2 with a new field with a default reads v1 data, filling the default', () => {
    const v2 = variant((fields) => {
      fields.push({ name: 'giftMessage', type: ['null', 'string'], default: null, doc: 'added in v2' });
      fields.push({ name: 'channel', type: 'string', default: 'web', doc: 'added in v2' });
    });
    expect(checkReadable(v2, v1)).toBeNull();
    const bytes = v1.toBuffer(SAMPLE_RECORDS.OrderPlaced);
    expect(v2.fromBuffer(bytes, v2.createResolver(v1))).toEqual({
      ...SAMPLE_RECORDS.OrderPlaced,
      giftMessage: null,
      channel: 'web',
    });
  });

  it('v2 with a new field without a default cannot read v1 data, and says which field', () => {
    const v2 = variant((fields) => {
      fields.push({ name: 'channel', type: 'string', doc: 'added in v2 without default' });
    });
    expect(checkReadable(v2, v1)).toMatch(/^field channel: the reader requires it \(no default\)/);
  });

  it('a field removed without a default breaks readers that still have it, naming the nested path', () => {
    const v2 = variant((_fields, envelopeFields) => {
      const at = envelopeFields.findIndex((f) => f['name'] === 'producer');
      envelopeFields.splice(at, 1);
    });
    // Readers on v2 can read v1 (the extra writer field is skipped)…
    expect(checkReadable(v2, v1)).toBeNull();
    // …but a v1 reader cannot read v2 data: envelope.producer has no default.
    expect(checkReadable(v1, v2)).toMatch(/^field envelope\.producer: the reader requires it \(no default\)/);
  });

  it('names a field inside array items', () => {
    const v2 = variant((fields) => {
      const items = fields.find((f) => f['name'] === 'items')!;
      const itemRecord = (items['type'] as JsonObject)['items'] as JsonObject;
      (itemRecord['fields'] as Fields).push({ name: 'weightGrams', type: 'int', doc: 'no default' });
    });
    expect(checkReadable(v2, v1)).toMatch(/^field items\[\]\.weightGrams:/);
  });

  it('names a field whose type changed incompatibly', () => {
    const v2 = variant((fields) => {
      fields.find((f) => f['name'] === 'totalCents')!['type'] = 'string';
    });
    expect(checkReadable(v2, v1)).toMatch(/^field totalCents: cannot read/);
  });

  it('allows promotions Avro allows (int → long)', () => {
    const v2 = variant((fields) => {
      const items = fields.find((f) => f['name'] === 'items')!;
      const itemRecord = (items['type'] as JsonObject)['items'] as JsonObject;
      (itemRecord['fields'] as Fields).find((f) => f['name'] === 'quantity')!['type'] = 'long';
    });
    expect(checkReadable(v2, v1)).toBeNull();
    expect(checkReadable(v1, v2)).toMatch(/^field items\[\]\.quantity: cannot read/);
  });

  it('reports a renamed record', () => {
    const renamed = Type.forSchema({ type: 'record', name: 'com.streamfold.orders.OrderMade', fields: [] });
    expect(checkReadable(v1, renamed)).toMatch(/^the record: no alias found for com\.streamfold\.orders\.OrderMade/);
  });
});
