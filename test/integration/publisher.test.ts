/**
 * The Publisher on the real broker and registry, on a prefixed copy of the
 * pipeline's topics: what it publishes reads back decoded with the right
 * keys and headers; an invalid event keeps its whole call out of Kafka; and
 * a v1 and a v2 publisher of one record share a topic that both a v1 and a
 * v2 consumer read in full (test/integration/serde.test.ts covers the
 * resolution rules themselves; this is the same evolution through Kafka,
 * with a mixed-version log).
 */
import { createProducer } from '../../lib/kafka/clients';
import type { FetchedRecord } from '../../lib/kafka/partition-fetcher';
import { readPartitionsToEnd } from '../../lib/kafka/topic-reader';
import { RecordSet, createRegistryClient, recordSchema } from '../../lib/registry';
import { AvroDecoder, AvroEncoder, TaggedValue } from '../../lib/serde';
import { TOPIC } from '../../lib/topics';
import { createPublisher } from '../../producers/create-publisher';
import { EVENT_HEADER } from '../../producers/event-headers';
import { Publisher } from '../../producers/event-publisher';
import { GeneratedRecord, generateLifecycles } from '../../producers/loadgen/lifecycle';
import type { OutgoingEvent } from '../../producers/outgoing-event';
import { PublishValidationError } from '../../producers/publish-error';
import { JsonObject } from '../../schemas/json';
import { SAMPLE_RECORDS, sampleEnvelope } from '../fixtures/sample-records';
import { config, logger, uniqueName } from './support/env';
import { TestPipeline, createTestPipeline, endOffsetTotal, readAll, withAdmin } from './support/pipeline';
import { createTopicsAndWait } from '../../lib/admin/create-topics';

const header = (message: FetchedRecord, name: string): string | undefined => message.headers[name];

describe('Publisher on Kafka and the registry', () => {
  let pipeline: TestPipeline;
  let publisher: Publisher;

  beforeAll(async () => {
    pipeline = await createTestPipeline('publisher');
    publisher = await createPublisher(config, logger, { topicPrefix: pipeline.prefix });
  });

  afterAll(async () => {
    await publisher.close();
  });

  it('publishes a batch that reads back decoded, keyed by aggregate id, with event headers, in order per key', async () => {
    const generated: GeneratedRecord[] = [...generateLifecycles({ seed: 21, customers: 3, orders: 8, lifecycleTimeScale: 0.001 })];
    const tombstone: OutgoingEvent = { topic: TOPIC.customers, key: 'cust-erased', event: null };
    // the generator's keys are dropped: the publisher derives them from the envelope
    const events: OutgoingEvent[] = [...generated.map(({ topic, event }) => ({ topic, event }) as OutgoingEvent), tombstone];
    await expect(publisher.publish(events)).resolves.toBe(events.length);

    for (const topic of [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.customers] as const) {
      const sent = generated.filter((r) => r.topic === topic);
      const read = await readAll(pipeline, `${pipeline.prefix}${topic}`);
      const values = read.filter((m) => m.value !== null);
      expect(values).toHaveLength(sent.length);
      const byEventId = new Map(sent.map((r) => [r.event.value.envelope.eventId, r]));
      for (const message of values) {
        const original = byEventId.get(header(message, EVENT_HEADER.id)!)!;
        expect(original).toBeDefined();
        expect(message.key?.toString()).toBe(original.event.value.envelope.aggregateId);
        expect(header(message, EVENT_HEADER.type)).toBe(original.event.type);
        expect(header(message, EVENT_HEADER.correlationId)).toBe(original.event.value.envelope.correlationId);
        const decoded = await pipeline.codec.decode(`${pipeline.prefix}${topic}`, message.value!);
        expect({ type: decoded.type, value: decoded.value }).toEqual(original.event);
      }
      // one key, one partition, publish order: each aggregate's versions come back 1, 2, 3…
      const versions = new Map<string, number[]>();
      for (const message of read.filter((m) => m.value !== null)) {
        const key = message.key!.toString();
        versions.set(key, [...(versions.get(key) ?? []), byEventId.get(header(message, EVENT_HEADER.id)!)!.event.value.envelope.aggregateVersion]);
      }
      for (const list of versions.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
      if (topic === TOPIC.customers) {
        const erased = read.filter((m) => m.value === null);
        expect(erased.map((m) => m.key?.toString())).toEqual(['cust-erased']);
      }
    }
    expect(publisher.stats().published).toBe(events.length);
  });

  it('rejects a call with an invalid event, naming the field, and nothing of it reaches Kafka', async () => {
    const topic = `${pipeline.prefix}${TOPIC.paymentEvents}`;
    const before = await endOffsetTotal(pipeline, topic);
    const valid: OutgoingEvent = {
      topic: TOPIC.paymentEvents,
      event: { type: 'PaymentCaptured', value: { ...SAMPLE_RECORDS.PaymentCaptured, envelope: sampleEnvelope({ aggregateId: 'order-valid' }) } },
    };
    const negativeAsString = {
      topic: TOPIC.paymentEvents,
      event: { type: 'PaymentCaptured', value: { ...SAMPLE_RECORDS.PaymentCaptured, amountCents: '-500' } },
    } as unknown as OutgoingEvent;
    const { currency: _dropped, ...missingCurrency } = SAMPLE_RECORDS.PaymentAuthorized;
    const missingField = { topic: TOPIC.paymentEvents, event: { type: 'PaymentAuthorized', value: missingCurrency } } as unknown as OutgoingEvent;

    const error = await publisher.publish([valid, negativeAsString, missingField]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PublishValidationError);
    expect((error as PublishValidationError).rejected.map((r) => ({ index: r.index, paths: r.issues.map((i) => i.path) }))).toEqual([
      { index: 1, paths: ['amountCents'] },
      { index: 2, paths: ['currency'] },
    ]);
    expect((error as Error).message).toMatch(/event 1 \(payments\.events PaymentCaptured\): .*amountCents: expected a long .*got string "-500"/);
    expect((error as Error).message).toMatch(/event 2 \(payments\.events PaymentAuthorized\): .*currency: required, expected a string/);

    await publisher.flush();
    // the high watermark did not move: not even the valid event was written
    expect(await endOffsetTotal(pipeline, topic)).toBe(before);
  });
});

// One record of a test topic in two versions: v2 adds a field with a default.
const V1: JsonObject = {
  type: 'record',
  name: 'Parcel',
  namespace: 'com.streamfold.test.publisher',
  fields: [
    { name: 'parcelId', type: 'string' },
    { name: 'weightGrams', type: 'long' },
  ],
};
const V2: JsonObject = { ...V1, fields: [...(V1['fields'] as JsonObject[]), { name: 'carrier', type: 'string', default: 'unassigned' }] };

type Messages = { readonly [topic: string]: TaggedValue };

describe('v1 → v2 through the registry and one topic, with the Publisher', () => {
  it('a v1 and a v2 consumer both read the mixed log', async () => {
    const topic = uniqueName('parcels');
    await withAdmin(config.kafka, (admin) => createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]));
    const registry = createRegistryClient(config.schemaRegistry, { logger });
    const v1 = new RecordSet([recordSchema(topic, V1)]);
    const v2 = new RecordSet([recordSchema(topic, V2)]);
    const publisherOf = (records: RecordSet) =>
      new Publisher<Messages>({
        producer: createProducer(config.kafka, `${config.kafka.clientId}-producer`),
        encoder: new AvroEncoder<Messages>({ registry, records, logger }),
        records,
        logger,
      });

    // an old producer, then an upgraded one (the registry accepts v2 as the subject's second version)
    const old = publisherOf(v1);
    await old.connect();
    await old.publish([{ topic, key: 'p-1', event: { type: 'Parcel', value: { parcelId: 'p-1', weightGrams: 1200 } } }]);
    await old.close();
    const upgraded = publisherOf(v2);
    await upgraded.connect();
    await upgraded.publish([{ topic, key: 'p-2', event: { type: 'Parcel', value: { parcelId: 'p-2', weightGrams: 800, carrier: 'DHL' } } }]);
    await upgraded.close();
    expect(await registry.versions(recordSchema(topic, V1).subject)).toEqual([1, 2]);

    const log: FetchedRecord[] = [];
    await readPartitionsToEnd({
      kafka: config.kafka,
      topic,
      clientId: uniqueName('parcels-read'),
      logger,
      onBatch: (_p, records) => void log.push(...records),
    });
    expect(log.map((m) => header(m, EVENT_HEADER.type))).toEqual(['Parcel', 'Parcel']);
    const readWith = (records: RecordSet) => {
      const decoder = new AvroDecoder<Messages>({ registry, records, logger });
      return Promise.all(log.map(async (m) => (await decoder.decode(topic, m.value!)).value));
    };
    expect(await readWith(v2)).toEqual([
      { parcelId: 'p-1', weightGrams: 1200, carrier: 'unassigned' },
      { parcelId: 'p-2', weightGrams: 800, carrier: 'DHL' },
    ]);
    expect(await readWith(v1)).toEqual([
      { parcelId: 'p-1', weightGrams: 1200 },
      { parcelId: 'p-2', weightGrams: 800 },
    ]);
  });
});
