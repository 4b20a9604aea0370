/**
 * The Avro serde against the real registry (and Kafka for the round trip):
 * ids resolved once and cached, bytes readable after a trip through a topic,
 * v1 ↔ v2 evolution resolved by reader schemas, and the DecodeError reasons
 * the dead-letter handling relies on.
 */
import { createAdmin, createProducer } from '../../lib/kafka/clients';
import { readPartitionsToEnd } from '../../lib/kafka/topic-reader';
import { RecordSet, catalogRecordSet, recordSchema } from '../../lib/registry/record-set';
import { RegistryClient, createRegistryClient } from '../../lib/registry/registry-client';
import { SchemaIncompatibleError } from '../../lib/registry/registry-errors';
import { AvroDecoder } from '../../lib/serde/avro-decoder';
import { AvroEncoder } from '../../lib/serde/avro-encoder';
import { DecodeError } from '../../lib/serde/decode-error';
import { EncodeError } from '../../lib/serde/encode-error';
import { encodeWireFormat } from '../../lib/serde/wire-format';
import { TOPIC } from '../../lib/topics';
import type { OrderEvent } from '../../schemas/generated/types';
import { JsonObject } from '../../schemas/json';
import { SAMPLE_RECORDS } from '../fixtures/sample-records';
import { config, logger, uniqueName } from './support/env';
import { createTopicsAndWait } from '../../lib/admin/create-topics';

const registry = createRegistryClient(config.schemaRegistry, { logger });

/** Counts registry calls, to show that ids are resolved once. */
class CountingRegistry extends RegistryClient {
  lookups = 0;
  registrations = 0;

  override async lookup(subject: string, schema: string) {
    this.lookups++;
    return super.lookup(subject, schema);
  }

  override async register(subject: string, schema: string) {
    this.registrations++;
    return super.register(subject, schema);
  }
}

async function decodeError(promise: Promise<unknown>): Promise<DecodeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}

/**
 * The real catalog under a topic prefix: real schemas, subjects of this test
 * only, and still addressed (and typed) by the real topic names.
 */
function prefixedCatalog(): { records: RecordSet; orders: typeof TOPIC.orderEvents; prefix: string } {
  const prefix = `${uniqueName('serde')}-`;
  return { records: catalogRecordSet(undefined, { topicPrefix: prefix }), orders: TOPIC.orderEvents, prefix };
}

describe('catalog records through the registry', () => {
  it('encodes, registers on first use, and decodes every order event type', async () => {
    const { records, orders } = prefixedCatalog();
    const counting = new CountingRegistry(config.schemaRegistry);
    const encoder = new AvroEncoder({ registry: counting, records, logger });
    const decoder = new AvroDecoder({ registry, records, logger });

    const events: OrderEvent[] = [
      { type: 'OrderPlaced', value: SAMPLE_RECORDS.OrderPlaced },
      { type: 'OrderItemAdded', value: SAMPLE_RECORDS.OrderItemAdded },
      { type: 'OrderShipped', value: SAMPLE_RECORDS.OrderShipped },
      { type: 'OrderCancelled', value: SAMPLE_RECORDS.OrderCancelled },
    ];
    for (const event of events) {
      const bytes = await encoder.encode(orders, event);
      const decoded = await decoder.decode(orders, bytes);
      expect(decoded.type).toBe(event.type);
      expect(decoded.value).toEqual(event.value);
      expect(decoded.schemaId).toBe(bytes.readInt32BE(1));
      // the id in the bytes is the one the registry serves for the subject
      const subject = records.byName(orders, event.type)!.subject;
      expect((await registry.lookup(subject, records.byName(orders, event.type)!.schemaText))?.id).toBe(decoded.schemaId);
    }
    // the subject got its level (the catalog's, for an event topic) explicitly before its first version
    expect(await registry.subjectLevel(records.byName(orders, 'OrderPlaced')!.subject)).toBe('FULL_TRANSITIVE');
  });

  it('resolves a schema id once, even for concurrent first calls', async () => {
    const { records, orders } = prefixedCatalog();
    const counting = new CountingRegistry(config.schemaRegistry);
    const encoder = new AvroEncoder({ registry: counting, records, logger });
    const event: OrderEvent = { type: 'OrderPlaced', value: SAMPLE_RECORDS.OrderPlaced };

    const encoded = await Promise.all(Array.from({ length: 25 }, () => encoder.encode(orders, event)));
    expect(new Set(encoded.map((b) => b.toString('hex'))).size).toBe(1);
    expect(counting.lookups).toBe(1);
    expect(counting.registrations).toBe(1);

    await encoder.encode(orders, event);
    expect(counting.lookups).toBe(1);
  });

  it('round-trips through a Kafka topic', async () => {
    const { records, orders, prefix } = prefixedCatalog();
    const kafkaTopic = `${prefix}${orders}`;
    const admin = createAdmin(config.kafka, 'serde-test');
    try {
      await createTopicsAndWait(admin, [{ topic: kafkaTopic, numPartitions: 2 }]);
    } finally {
      await admin.close();
    }

    const encoder = new AvroEncoder({ registry, records, logger });
    const sent: OrderEvent[] = [
      { type: 'OrderPlaced', value: SAMPLE_RECORDS.OrderPlaced },
      { type: 'OrderConfirmed', value: SAMPLE_RECORDS.OrderConfirmed },
      { type: 'OrderDelivered', value: SAMPLE_RECORDS.OrderDelivered },
    ];
    const producer = createProducer(config.kafka, 'serde-test');
    try {
      await producer.send({
        messages: await Promise.all(
          sent.map(async (event) => ({ topic: kafkaTopic, key: Buffer.from(event.value.envelope.aggregateId), value: await encoder.encode(orders, event) })),
        ),
      });
    } finally {
      await producer.close();
    }

    // a fresh decoder, as in another process: writer schemas come from the registry by id
    const decoder = new AvroDecoder({ registry: createRegistryClient(config.schemaRegistry), records, logger });
    const received: OrderEvent[] = [];
    await readPartitionsToEnd({
      kafka: config.kafka,
      logger,
      clientId: uniqueName('serde-readers'),
      topic: kafkaTopic,
      onBatch: async (_partition, batch) => {
        for (const record of batch) {
          const { type, value } = await decoder.decode(orders, record.value!);
          received.push({ type, value } as OrderEvent);
        }
      },
    });
    // one key, so one partition, so producer order
    expect(received).toEqual(sent);
  });
});

describe('validation before encoding', () => {
  it('fails with field paths and registers nothing', async () => {
    const { records, orders } = prefixedCatalog();
    const counting = new CountingRegistry(config.schemaRegistry);
    const encoder = new AvroEncoder({ registry: counting, records, logger });
    const bad = {
      type: 'OrderPlaced',
      value: { ...SAMPLE_RECORDS.OrderPlaced, totalCents: 64.99, envelope: { ...SAMPLE_RECORDS.OrderPlaced.envelope, eventId: undefined } },
    } as unknown as OrderEvent;

    const error = await encoder.encode(orders, bad).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).reason).toBe('invalid-value');
    expect((error as EncodeError).issues.map((i) => i.path)).toEqual(['envelope.eventId', 'totalCents']);
    expect((error as EncodeError).message).toMatch(
      /^invalid com\.streamfold\.orders\.OrderPlaced for topic .*orders\.events: envelope\.eventId: required, expected a string; totalCents: expected a long/,
    );
    expect(counting.lookups).toBe(0);
    expect(await registry.versions(records.byName(orders, 'OrderPlaced')!.subject)).toEqual([]);
  });

  it('refuses a tag the topic does not carry', async () => {
    const { records, orders } = prefixedCatalog();
    const encoder = new AvroEncoder({ registry, records, logger });
    const wrong = { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured } as unknown as OrderEvent;
    await expect(encoder.encode(orders, wrong)).rejects.toThrow(
      /carries no record tagged "PaymentCaptured" \(it carries com\.streamfold\.orders\.OrderPlaced, /,
    );
  });

  it('without autoRegister, refuses a schema that was not registered', async () => {
    const { records, orders } = prefixedCatalog();
    const encoder = new AvroEncoder({ registry, records, logger, autoRegister: false });
    const error = await encoder.encode(orders, { type: 'OrderConfirmed', value: SAMPLE_RECORDS.OrderConfirmed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncodeError);
    expect((error as EncodeError).reason).toBe('schema-not-registered');
    expect((error as Error).message).toMatch(/register it \(scripts\/schemas register\) before producing/);
  });
});

// A record of a test topic, in two versions: v2 adds fields with defaults.
const V1: JsonObject = {
  type: 'record',
  name: 'Shipment',
  namespace: 'com.streamfold.test',
  fields: [
    { name: 'shipmentId', type: 'string' },
    { name: 'weightGrams', type: 'long' },
  ],
};
const V2: JsonObject = {
  ...V1,
  fields: [
    ...(V1['fields'] as JsonObject[]),
    { name: 'carrier', type: 'string', default: 'unknown' },
    { name: 'insuredCents', type: ['null', 'long'], default: null },
  ],
};

interface ShipmentV1 {
  shipmentId: string;
  weightGrams: number;
}
interface ShipmentV2 extends ShipmentV1 {
  carrier: string;
  insuredCents: number | null;
}
type V1Messages = { readonly [topic: string]: { readonly type: 'Shipment'; readonly value: ShipmentV1 } };
type V2Messages = { readonly [topic: string]: { readonly type: 'Shipment'; readonly value: ShipmentV2 } };

describe('schema evolution v1 → v2 (a new field with a default)', () => {
  const topic = uniqueName('shipments');
  // the level of the event topics (schemas/catalog.ts): old and new readers read every version
  const level = { compatibility: 'FULL_TRANSITIVE' } as const;
  const v1 = new RecordSet([recordSchema(topic, V1, level)]);
  const v2 = new RecordSet([recordSchema(topic, V2, level)]);
  const v1Value: ShipmentV1 = { shipmentId: 's-1', weightGrams: 1200 };
  const v2Value: ShipmentV2 = { shipmentId: 's-2', weightGrams: 800, carrier: 'DHL', insuredCents: 5000 };
  let v1Bytes: Buffer;
  let v2Bytes: Buffer;

  beforeAll(async () => {
    v1Bytes = await new AvroEncoder<V1Messages>({ registry, records: v1, logger }).encode(topic, { type: 'Shipment', value: v1Value });
    // the registry accepts v2 under FULL_TRANSITIVE: it is a second version of the same subject
    v2Bytes = await new AvroEncoder<V2Messages>({ registry, records: v2, logger }).encode(topic, { type: 'Shipment', value: v2Value });
    const subject = recordSchema(topic, V1).subject;
    expect(await registry.versions(subject)).toEqual([1, 2]);
    expect(await registry.subjectLevel(subject)).toBe('FULL_TRANSITIVE');
  });

  it('a v2 consumer reads v1 events with the defaults filled in', async () => {
    const decoded = await new AvroDecoder<V2Messages>({ registry, records: v2, logger }).decode(topic, v1Bytes);
    expect(decoded.type).toBe('Shipment');
    expect(decoded.value).toEqual({ ...v1Value, carrier: 'unknown', insuredCents: null });
    expect(decoded.schemaId).toBe(v1Bytes.readInt32BE(1));
  });

  it('a v1 consumer reads v2 events, skipping the fields it does not know', async () => {
    const decoded = await new AvroDecoder<V1Messages>({ registry, records: v1, logger }).decode(topic, v2Bytes);
    expect(decoded.value).toEqual({ shipmentId: 's-2', weightGrams: 800 });
    expect(decoded.schemaId).toBe(v2Bytes.readInt32BE(1));
    expect(decoded.schemaId).not.toBe(v1Bytes.readInt32BE(1));
  });

  it('a breaking v3 is refused by the registry when the encoder tries to register it', async () => {
    const v3 = new RecordSet([
      recordSchema(
        topic,
        {
          ...V1,
          fields: [
            { name: 'shipmentId', type: 'string' },
            { name: 'weightGrams', type: 'string' },
          ],
        },
        level,
      ),
    ]);
    const encoder = new AvroEncoder<{ readonly [t: string]: { readonly type: 'Shipment'; readonly value: unknown } }>({ registry, records: v3, logger });
    const error = await encoder.encode(topic, { type: 'Shipment', value: { shipmentId: 's-3', weightGrams: 'heavy' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as SchemaIncompatibleError).status).toBe(409);
    expect((error as Error).message).toContain(`subject ${topic}-com.streamfold.test.Shipment`);
  });
});

describe('records that cannot be decoded', () => {
  const topic = uniqueName('decode-errors');
  const records = new RecordSet([recordSchema(topic, V2)]);
  const decoder = new AvroDecoder<V2Messages>({ registry, records, logger });

  it('bad-magic-byte and too-short, naming the topic', async () => {
    const json = await decodeError(decoder.decode(topic, Buffer.from('{"shipmentId":"s-1"}')));
    expect(json.reason).toBe('bad-magic-byte');
    expect(json.context.topic).toBe(topic);
    expect(json.message).toMatch(new RegExp(`^cannot decode a record of topic ${topic}: not a Confluent wire-format message: first byte is 0x7b`));
    expect((await decodeError(decoder.decode(topic, Buffer.from([0, 0])))).reason).toBe('too-short');
  });

  it('unknown-schema-id', async () => {
    const error = await decodeError(decoder.decode(topic, encodeWireFormat(2_000_000_000, Buffer.from([2, 0x61]))));
    expect(error.reason).toBe('unknown-schema-id');
    expect(error.message).toMatch(/schema id 2000000000 is not in the registry at http/);
    expect(error.context).toEqual({ topic, schemaId: 2_000_000_000 });
  });

  it('unknown-record: a record this consumer does not read on the topic', async () => {
    const other = recordSchema(topic, { type: 'record', name: 'Parcel', namespace: 'com.streamfold.test', fields: [{ name: 'id', type: 'string' }] });
    const id = await registry.register(other.subject, other.schemaText);
    const error = await decodeError(decoder.decode(topic, encodeWireFormat(id, other.type.toBuffer({ id: 'p-1' }))));
    expect(error.reason).toBe('unknown-record');
    expect(error.message).toMatch(
      /is record com\.streamfold\.test\.Parcel, which this consumer does not read on this topic \(it reads com\.streamfold\.test\.Shipment\)/,
    );
  });

  it('incompatible-writer: the same record name with a type the reader cannot resolve', async () => {
    // registered under another topic's subject (its first version, so nothing checks it): the id exists
    const writer = recordSchema(uniqueName('other'), {
      ...V1,
      fields: [
        { name: 'shipmentId', type: 'string' },
        { name: 'weightGrams', type: 'string' },
      ],
    });
    const id = await registry.register(writer.subject, writer.schemaText);
    const error = await decodeError(decoder.decode(topic, encodeWireFormat(id, writer.type.toBuffer({ shipmentId: 's', weightGrams: 'heavy' }))));
    expect(error.reason).toBe('incompatible-writer');
    expect(error.message).toMatch(/cannot be read with this consumer's schema: field weightGrams: /);
  });

  it('malformed-body: truncated or trailing bytes', async () => {
    const good = await new AvroEncoder<V2Messages>({ registry, records, logger }).encode(topic, {
      type: 'Shipment',
      value: { shipmentId: 's-9', weightGrams: 10, carrier: 'UPS', insuredCents: null },
    });
    expect((await decoder.decode(topic, good)).value.carrier).toBe('UPS');
    expect((await decodeError(decoder.decode(topic, good.subarray(0, good.length - 3)))).reason).toBe('malformed-body');
    const trailing = await decodeError(decoder.decode(topic, Buffer.concat([good, Buffer.from([1, 2, 3])])));
    expect(trailing.reason).toBe('malformed-body');
    expect(trailing.message).toMatch(/does not match writer schema id \d+ \(com\.streamfold\.test\.Shipment\)/);
  });

  it('an unreachable registry is not a DecodeError (retry, do not dead-letter)', async () => {
    const down = new AvroDecoder<V2Messages>({
      registry: createRegistryClient({ ...config.schemaRegistry, url: 'http://127.0.0.1:18999/apis/ccompat/v7' }, { retries: 0 }),
      records,
    });
    await expect(down.decode(topic, encodeWireFormat(1, Buffer.alloc(0)))).rejects.toThrow(
      /schema registry unreachable at http:\/\/127\.0\.0\.1:18999.*SCHEMA_REGISTRY_URL/,
    );
  });
});
