/**
 * The encoder without services: a registry stub answering every lookup with
 * one id (the real registry is in test/integration/serde.test.ts).
 */
import { RegistryClient, SchemaRef, catalogRecordSet } from '../../../lib/registry';
import { AvroEncoder, EncodeError, decodeWireFormat } from '../../../lib/serde';
import { TOPIC } from '../../../lib/topics';
import type { OrderPlaced, TopicMessages } from '../../../schemas/generated/types';
import { SAMPLE_RECORDS, sampleEnvelope } from '../../fixtures/sample-records';

const SCHEMA_ID = 7;

class StubRegistry extends RegistryClient {
  lookups = 0;

  constructor() {
    super({ url: 'http://registry.invalid', username: undefined, password: undefined });
  }

  override async lookup(): Promise<SchemaRef> {
    this.lookups += 1;
    return { id: SCHEMA_ID, version: 1 };
  }
}

const records = catalogRecordSet();
const placedType = records.byName(TOPIC.orderEvents, 'OrderPlaced')!.type;

function placed(n: number, overrides: Partial<OrderPlaced> = {}): TopicMessages['orders.events'] {
  return {
    type: 'OrderPlaced',
    value: { ...SAMPLE_RECORDS.OrderPlaced, envelope: sampleEnvelope({ aggregateId: `order-${n}`, aggregateVersion: n + 1 }), ...overrides },
  };
}

function encodeError(encode: () => unknown): EncodeError {
  try {
    encode();
  } catch (err) {
    if (err instanceof EncodeError) return err;
    throw err;
  }
  throw new Error('expected an EncodeError');
}

describe('AvroEncoder', () => {
  it('encodes synchronously only once the record’s schema id is resolved', async () => {
    const registry = new StubRegistry();
    const encoder = new AvroEncoder({ registry, records });
    expect(encoder.encodeIfResolved(TOPIC.orderEvents, placed(1))).toBeUndefined();
    expect(registry.lookups).toBe(0);
    const first = await encoder.encode(TOPIC.orderEvents, placed(1));
    const second = encoder.encodeIfResolved(TOPIC.orderEvents, placed(1));
    expect(second).toEqual(first);
    expect(decodeWireFormat(second!).schemaId).toBe(SCHEMA_ID);
    expect(registry.lookups).toBe(1);
  });

  it('returns buffers that later encodings do not overwrite, small or far larger than a slab', async () => {
    const encoder = new AvroEncoder({ registry: new StubRegistry(), records });
    await encoder.prepare([TOPIC.orderEvents]);
    const values = Array.from({ length: 2_000 }, (_, n) => (n % 500 === 7 ? placed(n, { customerId: `cust-${'z'.repeat(100_000)}` }) : placed(n)));
    const encoded = values.map((v) => encoder.encodeIfResolved(TOPIC.orderEvents, v)!);
    encoded.forEach((bytes, n) => {
      const { schemaId, body } = decodeWireFormat(bytes);
      expect(schemaId).toBe(SCHEMA_ID);
      expect(placedType.fromBuffer(body)).toEqual(values[n]!.value);
    });
  });

  it('refuses an invalid value on the synchronous path with the same field paths and reasons as encode', async () => {
    const encoder = new AvroEncoder({ registry: new StubRegistry(), records });
    await encoder.prepare([TOPIC.orderEvents]);
    const bad = [
      // caught by avsc's writer
      placed(1, { items: [{ sku: 'A', quantity: 1.5, unitPriceCents: 100 }] }),
      // caught by the declared-fields check
      placed(2, { envelope: { ...sampleEnvelope(), tenant: 't' } as OrderPlaced['envelope'] }),
      // a record that is not an object
      { type: 'OrderPlaced', value: 'order' } as unknown as TopicMessages['orders.events'],
    ];
    for (const message of bad) {
      const sync = encodeError(() => encoder.encodeIfResolved(TOPIC.orderEvents, message));
      const async = await encoder.encode(TOPIC.orderEvents, message).catch((err: unknown) => err);
      expect(sync.reason).toBe('invalid-value');
      expect(sync.issues.length).toBeGreaterThan(0);
      expect(async).toEqual(sync);
      expect(sync.message).toBe((async as EncodeError).message);
    }
    expect(encodeError(() => encoder.encodeIfResolved(TOPIC.orderEvents, bad[0]!)).issues).toEqual([
      { path: 'items[0].quantity', reason: 'expected an int (32-bit integer), got number 1.5' },
    ]);
    expect(encodeError(() => encoder.encodeIfResolved(TOPIC.orderEvents, bad[1]!)).issues).toEqual([
      { path: 'envelope', reason: expect.stringMatching(/^field\(s\) tenant not declared in .*Envelope/) },
    ]);
  });

  it('refuses a tag the topic does not carry before asking the registry', () => {
    const registry = new StubRegistry();
    const encoder = new AvroEncoder({ registry, records });
    const message = { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured } as unknown as TopicMessages['orders.events'];
    expect(encodeError(() => encoder.encodeIfResolved(TOPIC.orderEvents, message)).reason).toBe('unknown-record');
    expect(registry.lookups).toBe(0);
  });
});
