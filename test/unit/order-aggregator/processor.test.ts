/**
 * The order aggregator through the runtime's test driver (no Kafka): its
 * orders.state output equals the pure fold, whatever the interleaving of the
 * two input topics, and bad events are dead-lettered with the fold's reason.
 */
import { topicNames, TOPIC } from '../../../lib/topics';
import type { TaggedValue } from '../../../lib/serde';
import type { OrderState } from '../../../schemas/generated/types';
import { AggregateEvent, foldOrder } from '../../../lib/domain/orders/fold';
import { AGGREGATOR_REJECTION, orderAggregator, PENDING_PAYMENTS_STORE } from '../../../processors/order-aggregator/processor';
import type { RecordCodec } from '../../../lib/streaming/codec';
import { ProcessorTestDriver } from '../../../processors/runtime/test-driver';
import { generateLifecycles } from '../../../producers/loadgen/lifecycle';
import { Random } from '../../../producers/loadgen/random';
import { eventsByOrder } from '../../fixtures/generated-stream';

// The test driver never encodes; a codec that would is a mistake in the test.
const noCodec: RecordCodec = {
  decode: () => Promise.reject(new Error('not used in-process')),
  encode: (_topic: string, _value: TaggedValue) => Promise.reject(new Error('not used in-process')),
};
const topics = topicNames();

function driver(): ProcessorTestDriver<AggregateEvent> {
  return new ProcessorTestDriver(orderAggregator(topics, noCodec));
}

function latestStates(d: ProcessorTestDriver<AggregateEvent>): Map<string, OrderState> {
  const states = new Map<string, OrderState>();
  for (const output of d.readOutput(topics.orderState)) states.set(output.key, output.value as OrderState);
  return states;
}

test('orders.state equals the pure fold, even when payments arrive before their order', () => {
  const records = [...generateLifecycles({ seed: 7, customers: 50, orders: 300 })].filter((r) => r.topic !== TOPIC.customers);
  const orderRecords = records.filter((r) => r.topic === TOPIC.orderEvents);
  const paymentRecords = records.filter((r) => r.topic === TOPIC.paymentEvents);
  // Interleave the two topics randomly but keep each topic's own order, as a consumer of two partitions sees them.
  const random = new Random(99);
  const d = driver();
  let o = 0;
  let p = 0;
  while (o < orderRecords.length || p < paymentRecords.length) {
    const takePayment = p < paymentRecords.length && (o >= orderRecords.length || random.chance(0.5));
    const r = takePayment ? paymentRecords[p++]! : orderRecords[o++]!;
    d.pipe(r.topic, r.key, r.event as AggregateEvent);
  }

  const expected = new Map<string, OrderState>();
  for (const [orderId, events] of eventsByOrder(records)) {
    const fold = foldOrder(events);
    expect(fold.rejections).toEqual([]);
    if (fold.state) expected.set(orderId, fold.state);
  }
  expect(d.readDeadLetters()).toEqual([]);
  expect(latestStates(d)).toEqual(expected);
  expect(d.store(PENDING_PAYMENTS_STORE).size()).toBe(0);
});

test('a redelivered event changes nothing; a gap is dead-lettered with the fold reason', () => {
  const records = [...generateLifecycles({ seed: 3, customers: 5, orders: 5 })].filter((r) => r.topic === TOPIC.orderEvents);
  const d = driver();
  const first = records[0]!;
  d.pipe(first.topic, first.key, first.event as AggregateEvent);
  const before = latestStates(d);
  d.pipe(first.topic, first.key, first.event as AggregateEvent);
  expect(d.readOutput(topics.orderState)).toEqual([]);
  expect(d.readDeadLetters()).toEqual([]);

  const later = records.filter((r) => r.key === first.key)[2];
  expect(later).toBeDefined();
  d.pipe(later!.topic, later!.key, later!.event as AggregateEvent);
  expect(d.readDeadLetters()).toEqual([expect.objectContaining({ topic: `${topics.orderEvents}.dlq`, code: 'VERSION_GAP' })]);
  expect(d.readOutput(topics.orderState)).toEqual([]);
  expect(before.size).toBe(1);
});

test('an event keyed differently from its aggregate, or a tombstone, is dead-lettered', () => {
  const [first] = [...generateLifecycles({ seed: 4, customers: 1, orders: 1 })].filter((r) => r.topic === TOPIC.orderEvents);
  const d = driver();
  d.pipe(first!.topic, 'another-order', first!.event as AggregateEvent);
  d.pipe(first!.topic, first!.key, null);
  expect(d.readDeadLetters().map((l) => l.code)).toEqual([AGGREGATOR_REJECTION.keyMismatch, AGGREGATOR_REJECTION.tombstone]);
});
