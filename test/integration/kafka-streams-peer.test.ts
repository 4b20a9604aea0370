/**
 * The Kafka Streams peer of the benchmark (scripts/bench/kafka-streams) on
 * the real broker and registry: its OrderState output equals the project's
 * own fold for every order, with both stores, on input that has payments
 * before their order, redelivered events of both topics and order events out
 * of order. So the benchmark compares the aggregator with equal work.
 */
import { TOPIC } from '../../lib/topics';
import type { OrderState } from '../../schemas/generated/types';
import { AggregateEvent, foldOrder } from '../../lib/domain/orders/fold';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { generateLifecycles, GeneratedRecord } from '../../producers/loadgen/lifecycle';
import { buildKafkaStreamsPeer, KafkaStreamsStore, runKafkaStreamsRound } from '../../scripts/bench/kafka-streams-peer';
import { createTestPipeline, OutgoingRecord, produce, readAll, TestPipeline } from './support/pipeline';
import { config, logger } from './support/env';

jest.setTimeout(180_000);

const ORDERS = 300;

interface Input {
  /** Produced first: the payments of some orders, before any order event (and one of them twice). */
  readonly early: GeneratedRecord[];
  /** Then everything else, with some order events swapped and some events of both topics sent again at the end. */
  readonly rest: GeneratedRecord[];
}

function isOrderTopic(r: GeneratedRecord): boolean {
  return r.topic === TOPIC.orderEvents;
}

function makeInput(): Input {
  const records = [...generateLifecycles({ seed: 21, customers: 80, orders: ORDERS })].filter((r) => r.topic !== TOPIC.customers);
  const orderIds = [...new Set(records.map((r) => r.key))];
  // every 7th order's payments come first; every 11th has its second and third order events swapped (a gap, then the rest rejected)
  const early = new Set(orderIds.filter((_, i) => i % 7 === 0));
  const swapped = new Set(orderIds.filter((_, i) => i % 11 === 5));
  const earlyPayments = records.filter((r) => !isOrderTopic(r) && early.has(r.key));
  const rest = records.filter((r) => isOrderTopic(r) || !early.has(r.key));
  for (const orderId of swapped) {
    const at = rest.map((r, i) => (isOrderTopic(r) && r.key === orderId ? i : -1)).filter((i) => i >= 0);
    if (at.length < 3) continue;
    const [second, third] = [at[1]!, at[2]!];
    [rest[second], rest[third]] = [rest[third]!, rest[second]!];
  }
  // redeliveries: the same event (eventId and version) again, on both topics, and a parked payment twice
  const redelivered = records.filter((_, i) => i % 13 === 0);
  return { early: [...earlyPayments, ...earlyPayments.slice(0, 1)], rest: [...rest, ...redelivered] };
}

/** The fold per order over each topic's events in the order they were produced: what any interleaving of the two topics gives. */
function expectedFold(input: Input): { states: Map<string, OrderState>; rejections: Map<string, number> } {
  const produced = [...input.early, ...input.rest];
  const byOrder = new Map<string, AggregateEvent[]>();
  for (const r of [...produced.filter(isOrderTopic), ...produced.filter((r) => !isOrderTopic(r))]) {
    byOrder.set(r.key, [...(byOrder.get(r.key) ?? []), r.event as AggregateEvent]);
  }
  const states = new Map<string, OrderState>();
  const rejections = new Map<string, number>();
  for (const [orderId, events] of byOrder) {
    const fold = foldOrder(events);
    if (fold.state) states.set(orderId, fold.state);
    for (const { code } of fold.rejections) rejections.set(code, (rejections.get(code) ?? 0) + 1);
  }
  return { states, rejections };
}

function toTopics(pipeline: TestPipeline, records: readonly GeneratedRecord[]): OutgoingRecord[] {
  return records.map((r) => ({ topic: isOrderTopic(r) ? pipeline.topics.orderEvents : pipeline.topics.paymentEvents, key: r.key, value: r.event }));
}

/** The last OrderState per order on the peer's output topic. */
async function latestStates(pipeline: TestPipeline, outputPrefix: string, outputTopic: string): Promise<Map<string, OrderState>> {
  const codec = registryCodec({ ...config, topicPrefix: outputPrefix }, logger, { autoRegister: false });
  const latest = new Map<string, OrderState>();
  for (const message of await readAll(pipeline, outputTopic)) {
    const decoded = await codec.decode(outputTopic, message.value!);
    expect(decoded.type).toBe('OrderState');
    const state = decoded.value as OrderState;
    expect(message.key?.toString('utf8')).toBe(state.orderId);
    latest.set(state.orderId, state);
  }
  return latest;
}

let pipeline: TestPipeline;
let input: Input;
let expected: ReturnType<typeof expectedFold>;

beforeAll(async () => {
  await buildKafkaStreamsPeer();
  pipeline = await createTestPipeline('ks-peer');
  input = makeInput();
  expected = expectedFold(input);
  // two calls: the early payments get earlier record timestamps, and Kafka Streams picks the earliest record among a task's partitions
  await produce(pipeline, toTopics(pipeline, input.early));
  await produce(pipeline, toTopics(pipeline, input.rest));
});

test('the input exercises parking, duplicates and rejections', () => {
  expect(input.early.length).toBeGreaterThan(20);
  expect(expected.rejections.get('VERSION_GAP')).toBeGreaterThan(0);
  expect(expected.states.size).toBe(ORDERS);
});

test.each<KafkaStreamsStore>(['memory', 'rocksdb'])('with the %s store, the output equals the fold for every order', async (store) => {
  const outputPrefix = `${pipeline.prefix}ks-${store}.`;
  const outputTopic = `${outputPrefix}${TOPIC.orderState}`;
  const round = await runKafkaStreamsRound({
    config,
    inputs: { orderEvents: pipeline.topics.orderEvents, paymentEvents: pipeline.topics.paymentEvents },
    outputTopic,
    store,
    applicationId: `${pipeline.prefix}ks-${store}`,
    timeoutMs: 90_000,
  });
  expect(round.events).toBe(input.early.length + input.rest.length);
  expect(round.summary.kafkaStreams).toBe('4.4.0');
  expect(round.summary.parked).toBeGreaterThan(0);
  expect(round.summary.duplicates).toBeGreaterThan(0);
  expect(new Map(Object.entries(round.summary.rejected))).toEqual(expected.rejections);

  const latest = await latestStates(pipeline, outputPrefix, outputTopic);
  expect(latest.size).toBe(expected.states.size);
  for (const [orderId, state] of expected.states) expect(latest.get(orderId)).toEqual(state);
});
