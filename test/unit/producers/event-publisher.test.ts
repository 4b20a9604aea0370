/**
 * The Publisher without services: a registry stub that knows every subject
 * (schema ids only) and a fake producer (not the Kafka client: the few
 * methods of lib/kafka's RecordProducer the Publisher calls) that records
 * what it was asked to send. What Kafka and the real registry add is in
 * test/integration/publisher.test.ts.
 */
// The client's own error classes, to fail the fake as the client's producer does (shapes seen with @platformatic/kafka 2.12).
import { MultipleErrors, NetworkError, UserError } from '@platformatic/kafka';
import type { OutgoingRecord, RecordProducer } from '../../../lib/kafka/clients';
import { catalogRecordSet, RegistryClient, SchemaRef } from '../../../lib/registry';
import { AvroEncoder, decodeWireFormat } from '../../../lib/serde';
import { TOPIC } from '../../../lib/topics';
import { EVENT_HEADER } from '../../../producers/event-headers';
import { Publisher } from '../../../producers/event-publisher';
import type { OutgoingEvent } from '../../../producers/outgoing-event';
import { PublishValidationError } from '../../../producers/publish-error';
import { BatcherFailedError } from '../../../producers/send-batcher';
import type { OrderPlaced } from '../../../schemas/generated/types';
import { SAMPLE_RECORDS, sampleEnvelope } from '../../fixtures/sample-records';

const SCHEMA_ID = 42;

/** Every subject holds the schema under one id; a subject can be made slow to answer. */
class StubRegistry extends RegistryClient {
  readonly slow = new Map<string, Promise<void>>();

  constructor() {
    super({ url: 'http://registry.invalid', username: undefined, password: undefined });
  }

  override async lookup(subject: string): Promise<SchemaRef> {
    await this.slow.get(subject);
    return { id: SCHEMA_ID, version: 1 };
  }
}

/** What the Publisher passed to one `send`. */
interface SentRequest {
  readonly messages: OutgoingRecord[];
  readonly acks?: number;
}

/** A fake producer: records each send, or fails it with `fail`. */
function fakeProducer(fail?: Error) {
  const batches: SentRequest[] = [];
  const producer = {
    initIdempotentProducer: jest.fn(async () => ({ producerId: 1n, producerEpoch: 0 })),
    close: jest.fn(async () => undefined),
    send: jest.fn(async (request: SentRequest) => {
      if (fail) throw fail;
      batches.push(request);
      return {};
    }),
  };
  return { producer: producer as unknown as RecordProducer, calls: producer, batches };
}

const PREFIX = 'unit.';
const records = catalogRecordSet(undefined, { topicPrefix: PREFIX });

function publisher(options: { fail?: Error; maxBatchMessages?: number; registry?: StubRegistry } = {}) {
  const registry = options.registry ?? new StubRegistry();
  const stub = fakeProducer(options.fail);
  const p = new Publisher({
    producer: stub.producer,
    encoder: new AvroEncoder({ registry, records }),
    records,
    topicPrefix: PREFIX,
    batch: { lingerMs: 0, maxBatchMessages: options.maxBatchMessages ?? 1000 },
  });
  return { publisher: p, ...stub, registry };
}

function placed(orderId: string, overrides: Partial<OrderPlaced> = {}): OutgoingEvent {
  return {
    topic: TOPIC.orderEvents,
    event: {
      type: 'OrderPlaced',
      value: { ...SAMPLE_RECORDS.OrderPlaced, envelope: sampleEnvelope({ aggregateId: orderId, eventId: `e-${orderId}` }), ...overrides },
    },
  };
}

const sentMessages = (batches: SentRequest[]) => batches.flatMap((b) => b.messages);
const keyOf = (message: OutgoingRecord) => message.key?.toString();

describe('Publisher', () => {
  it('encodes in the wire format, keys by aggregate id, sets headers and sends to the prefixed topic', async () => {
    const { publisher: p, batches } = publisher();
    await expect(p.publish([placed('order-7')])).resolves.toBe(1);
    const [message] = sentMessages(batches);
    expect(message!.topic).toBe(`${PREFIX}orders.events`);
    expect(message!.key).toEqual(Buffer.from('order-7'));
    expect(message!.headers).toEqual({
      [EVENT_HEADER.type]: 'OrderPlaced',
      [EVENT_HEADER.id]: 'e-order-7',
      [EVENT_HEADER.correlationId]: SAMPLE_RECORDS.OrderPlaced.envelope.correlationId,
    });
    const { schemaId, body } = decodeWireFormat(message!.value as Buffer);
    expect(schemaId).toBe(SCHEMA_ID);
    expect(records.byName(TOPIC.orderEvents, 'OrderPlaced')!.type.fromBuffer(body)).toEqual((placed('order-7').event as { value: unknown }).value);
    expect(batches[0]!.acks).toBe(-1);
    expect(p.stats()).toMatchObject({ published: 1, byTopic: { 'orders.events': 1 }, batches: 1 });
  });

  it('keys customers by customerId (their aggregate id) and takes an explicit key over it', async () => {
    const { publisher: p, batches } = publisher();
    await p.publish([
      { topic: TOPIC.customers, event: { type: 'CustomerProfile', value: SAMPLE_RECORDS.CustomerProfile } },
      { ...placed('order-1'), key: 'explicit' },
    ]);
    expect(sentMessages(batches).map(keyOf)).toEqual(['cust-1', 'explicit']);
  });

  it('publishes nothing of a call with an invalid event, and names every bad event and field', async () => {
    const { publisher: p, calls } = publisher();
    const badQuantity = placed('order-2', { items: [{ sku: 'A', quantity: '-1' as unknown as number, unitPriceCents: 100 }] });
    const { customerId: _missing, ...withoutCustomer } = SAMPLE_RECORDS.OrderPlaced;
    const missingField = { topic: TOPIC.orderEvents, event: { type: 'OrderPlaced', value: withoutCustomer } } as unknown as OutgoingEvent;
    const error = await p.publish([placed('order-1'), badQuantity, missingField]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PublishValidationError);
    const rejected = (error as PublishValidationError).rejected;
    expect(rejected.map((r) => [r.index, r.type, r.issues.map((i) => i.path)])).toEqual([
      [1, 'OrderPlaced', ['items[0].quantity']],
      [2, 'OrderPlaced', ['customerId']],
    ]);
    expect((error as Error).message).toMatch(
      /^2 of 3 event\(s\) are invalid, so none of the 3 was published:\n {2}event 1 \(orders\.events OrderPlaced\): invalid com\.streamfold\.orders\.OrderPlaced for topic orders\.events: items\[0\]\.quantity: expected an int \(32-bit integer\), got string "-1"\n {2}event 2 .*customerId: required/,
    );
    await p.flush();
    expect(calls.send).not.toHaveBeenCalled();
    // the publisher is still usable
    await expect(p.publish([placed('order-3')])).resolves.toBe(1);
  });

  it('once the schema ids are resolved, still publishes nothing of a call with an invalid event', async () => {
    const { publisher: p, calls } = publisher();
    await p.prepareSchemas([TOPIC.orderEvents]);
    const undeclared = placed('order-2', { envelope: { ...sampleEnvelope({ aggregateId: 'order-2' }), tenant: 't' } as OrderPlaced['envelope'] });
    const badQuantity = placed('order-3', { items: [{ sku: 'A', quantity: 1.5, unitPriceCents: 100 }] });
    const error = await p.publish([placed('order-1'), undeclared, badQuantity]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PublishValidationError);
    expect((error as PublishValidationError).rejected.map((r) => [r.index, r.issues.map((i) => i.path)])).toEqual([
      [1, ['envelope']],
      [2, ['items[0].quantity']],
    ]);
    await p.flush();
    expect(calls.send).not.toHaveBeenCalled();
  });

  it('rejects an unknown topic or record type, and an event it cannot key', async () => {
    const { publisher: p } = publisher();
    const { rejected } = await p.prepare([
      { topic: 'orders', event: { type: 'OrderPlaced', value: {} } } as unknown as OutgoingEvent,
      { topic: TOPIC.orderEvents, event: { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured } } as unknown as OutgoingEvent,
      { topic: TOPIC.orderState, event: { type: 'OrderState', value: SAMPLE_RECORDS.OrderState } },
    ]);
    expect(rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^unknown topic "orders"; name a catalog topic without TOPIC_PREFIX \(orders\.events, payments\.events, customers/),
      expect.stringMatching(/carries no record tagged "PaymentCaptured"/),
      'key: OrderState has no envelope.aggregateId to key by; give the key explicitly',
    ]);
  });

  it('publishes a tombstone on a compacted topic only, and only with a key', async () => {
    const { publisher: p, batches } = publisher();
    await p.publish([{ topic: TOPIC.customers, key: 'cust-9', event: null }]);
    // value undefined: the client writes a null value
    expect(sentMessages(batches)).toStrictEqual([{ topic: `${PREFIX}customers`, key: Buffer.from('cust-9'), value: undefined }]);
    const { rejected } = await p.prepare([
      { topic: TOPIC.customers, event: null },
      { topic: TOPIC.orderEvents, key: 'order-1', event: null },
    ]);
    expect(rejected.map((r) => r.reason)).toEqual([
      'a tombstone (event null) needs a key: the id of the aggregate to erase',
      expect.stringMatching(
        /^topic orders\.events is not compacted, so a tombstone would erase nothing; tombstones go to customers, orders\.state, fraud\.counters/,
      ),
    ]);
  });

  it('queues calls in call order even when an earlier call waits longer for its schema id', async () => {
    const registry = new StubRegistry();
    let release!: () => void;
    const cancelled = records.byName(TOPIC.orderEvents, 'OrderCancelled')!.subject;
    registry.slow.set(cancelled, new Promise<void>((resolve) => (release = resolve)));
    const { publisher: p, batches } = publisher({ registry });
    await p.prepareSchemas([TOPIC.customers]);
    const first = p.publish([{ topic: TOPIC.orderEvents, event: { type: 'OrderCancelled', value: SAMPLE_RECORDS.OrderCancelled } }]);
    const second = p.publish([{ topic: TOPIC.customers, event: { type: 'CustomerProfile', value: SAMPLE_RECORDS.CustomerProfile } }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toHaveLength(0); // the second is ready but waits its turn
    release();
    await Promise.all([first, second]);
    expect(sentMessages(batches).map((m) => m.topic)).toEqual([`${PREFIX}orders.events`, `${PREFIX}customers`]);
  });

  it('batches by size across calls', async () => {
    const { publisher: p, batches } = publisher({ maxBatchMessages: 4 });
    await Promise.all([p.publish(['a', 'b', 'c'].map((id) => placed(id))), p.publish(['d', 'e', 'f', 'g', 'h'].map((id) => placed(id)))]);
    expect(batches.map((b) => b.messages.length)).toEqual([3, 4, 1]);
    expect(sentMessages(batches).map(keyOf)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('explains a missing topic and then refuses further events', async () => {
    // what the client throws when its metadata request names a topic the cluster lacks
    const { publisher: p } = publisher({ fail: new UserError('Unknown topic unit.orders.events.') });
    await expect(p.publish([placed('order-1')])).rejects.toThrow(
      /Kafka has no topic unit\.orders\.events \(topics are not auto-created\); provision them with: scripts\/topics --prefix unit\./,
    );
    await expect(p.publish([placed('order-2')])).rejects.toBeInstanceOf(BatcherFailedError);
  });

  it('says so when no broker could be reached for all of its retries', async () => {
    const refused = () =>
      new MultipleErrors('Cannot connect to any broker.', [
        new NetworkError('Connection to 127.0.0.1:19092 failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:19092') }),
      ]);
    const { publisher: p } = publisher({ fail: new MultipleErrors('produce failed 31 times.', [refused(), refused()]) });
    await expect(p.publish([placed('order-1')])).rejects.toThrow(
      /^sending to Kafka failed: no Kafka broker could be reached for \d+ s of retries \(Connection to 127\.0\.0\.1:19092 failed: connect ECONNREFUSED 127\.0\.0\.1:19092\); is Kafka running \(scripts\/infra status\) and KAFKA_BROKERS right\?\. The events of that batch/,
    );
  });

  it('close flushes, disconnects once, and refuses later calls', async () => {
    const { publisher: p, calls, batches } = publisher();
    const pending = p.publish([placed('order-1')]);
    await Promise.all([p.close(), p.close()]);
    await pending;
    expect(batches).toHaveLength(1);
    expect(calls.close).toHaveBeenCalledTimes(1);
    await expect(p.publish([placed('order-2')])).rejects.toThrow(/the publisher is closed/);
  });
});
