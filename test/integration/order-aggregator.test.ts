/**
 * The order aggregator on real Kafka and the registry, as a service (a child
 * process): exactly-once across a SIGKILL, two instances sharing the
 * partitions, poison records dead-lettered while the rest flows, and state
 * rebuilt from the changelog by a fresh process.
 */
import type { ChildProcess } from 'node:child_process';
import { equals } from '@jest/expect-utils';
import { TOPIC } from '../../lib/topics';
import type { OrderState } from '../../schemas/generated/types';
import { AggregateEvent, foldOrder } from '../../lib/domain/orders/fold';
import { DEAD_LETTER_HEADER } from '../../lib/streaming/dead-letter';
import { generateLifecycles, GeneratedRecord } from '../../producers/loadgen/lifecycle';
import { eventsByOrder } from '../fixtures/generated-stream';
import {
  committedCount,
  createTestPipeline,
  exited,
  OutgoingRecord,
  produce,
  readAll,
  spawnProcessor,
  trackChildren,
  TestPipeline,
  waitFor,
  waitForCaughtUp,
} from './support/pipeline';

const track = trackChildren();

function generated(seed: number, orders: number): GeneratedRecord[] {
  return [...generateLifecycles({ seed, customers: Math.ceil(orders / 4), orders })].filter((r) => r.topic !== TOPIC.customers);
}

function toTopics(pipeline: TestPipeline, records: readonly GeneratedRecord[]): OutgoingRecord[] {
  return records.map((r) => ({
    topic: r.topic === TOPIC.orderEvents ? pipeline.topics.orderEvents : pipeline.topics.paymentEvents,
    key: r.key,
    value: r.event,
  }));
}

/**
 * `instance` names the transactional id: a restart of the same instance passes the same
 * one, as scripts/services does, so its producer fences what the killed run left open at once. (With a new
 * id the open transaction holds every read_committed reader of the outputs until its timeout.)
 */
async function start(pipeline: TestPipeline, instance?: string): Promise<ChildProcess> {
  const env: Record<string, string> = {};
  if (instance !== undefined) env['PROCESSOR_INSTANCE_ID'] = instance;
  return track(await spawnProcessor('order-aggregator', pipeline, env));
}

const group = (pipeline: TestPipeline) => `${pipeline.prefix}order-aggregator`;
const inputs = (pipeline: TestPipeline) => [pipeline.topics.orderEvents, pipeline.topics.paymentEvents];

/** Every OrderState in orders.state, decoded, in log order per partition. */
async function stateLog(pipeline: TestPipeline): Promise<OrderState[]> {
  const messages = await readAll(pipeline, pipeline.topics.orderState);
  return Promise.all(messages.map(async (m) => (await pipeline.codec.decode(pipeline.topics.orderState, m.value!)).value as OrderState));
}

function expectedStates(records: readonly GeneratedRecord[]): Map<string, OrderState> {
  const expected = new Map<string, OrderState>();
  for (const [orderId, events] of eventsByOrder(records)) {
    const { state, rejections } = foldOrder(events as AggregateEvent[]);
    expect(rejections).toEqual([]);
    if (state) expected.set(orderId, state);
  }
  return expected;
}

/** The latest state per order equals the pure fold, and no state was written twice. */
function expectExact(log: readonly OrderState[], records: readonly GeneratedRecord[]): void {
  const seen = new Set<string>();
  const latest = new Map<string, OrderState>();
  for (const state of log) {
    const id = `${state.orderId}@${state.version}/${state.paymentVersion}`;
    expect(seen.has(id) ? `duplicate state ${id}` : id).toBe(id);
    seen.add(id);
    latest.set(state.orderId, state);
  }
  // one line per order that differs (a whole-map diff buries them in thousands of equal fields)
  // (equals is toEqual's own comparison, order by order)
  const expected = expectedStates(records);
  const differing = [...new Set([...expected.keys(), ...latest.keys()])]
    .filter((id) => !equals(latest.get(id), expected.get(id)))
    .map((id) => `${id}: expected ${describeState(expected.get(id))}, got ${describeState(latest.get(id))}`);
  expect(differing.length === 0 ? [] : [`${differing.length} of ${expected.size} orders differ`, ...differing.slice(0, 10)]).toEqual([]);
}

function describeState(state: OrderState | undefined): string {
  return state === undefined ? 'no state' : `v${state.version}/payment v${state.paymentVersion} ${state.status} (last event ${state.lastEventId})`;
}

test('exactly-once across a SIGKILL mid-stream: every input counts once and the state equals the fold', async () => {
  const pipeline = await createTestPipeline('agg-eos');
  // enough input that the processor is still at it when the first commits show
  const records = generated(11, 6000);
  await produce(pipeline, toTopics(pipeline, records));

  const first = await start(pipeline, 'restarted');
  await waitFor(async () => (await committedCount(pipeline, group(pipeline), inputs(pipeline))) > 0, 'the first commits');
  first.kill('SIGKILL');
  await exited(first);
  const atKill = await committedCount(pipeline, group(pipeline), inputs(pipeline));
  expect(atKill).toBeLessThan(records.length); // killed mid-stream, not after the end

  await start(pipeline, 'restarted');
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));
  expectExact(await stateLog(pipeline), records);
  expect(await readAll(pipeline, `${pipeline.topics.orderEvents}.dlq`)).toEqual([]);
  expect(await readAll(pipeline, `${pipeline.topics.paymentEvents}.dlq`)).toEqual([]);
});

test('two instances share the partitions; when one stops the other takes over and results stay exact', async () => {
  const pipeline = await createTestPipeline('agg-pair');
  const records = generated(12, 1200);
  const half = Math.floor(records.length / 2);
  const a = await start(pipeline);
  const b = await start(pipeline);
  await produce(pipeline, toTopics(pipeline, records.slice(0, half)));
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));

  a.kill('SIGTERM');
  expect(await exited(a)).toBe(0);
  await produce(pipeline, toTopics(pipeline, records.slice(half)));
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));
  expect(b.exitCode).toBeNull();
  expectExact(await stateLog(pipeline), records);
});

test('poison records go to the dead-letter topic with their headers while the rest flows', async () => {
  const pipeline = await createTestPipeline('agg-poison');
  const records = generated(13, 40);
  const orderEvents = records.filter((r) => r.topic === TOPIC.orderEvents);
  const victim = orderEvents[0]!;
  const notAvro = Buffer.from('{"json":"not avro"}');
  const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x00, 0x02]);
  // a version gap: the victim order's third event again, as version 99
  const third = orderEvents.filter((r) => r.key === victim.key)[2]!;
  const gap = { ...third.event, value: { ...third.event.value, envelope: { ...third.event.value.envelope, aggregateVersion: 99, eventId: 'gap-event' } } };
  await produce(pipeline, [
    { topic: pipeline.topics.orderEvents, key: 'poison-1', value: notAvro },
    { topic: pipeline.topics.orderEvents, key: 'poison-2', value: unknownId },
    ...toTopics(pipeline, records),
    { topic: pipeline.topics.orderEvents, key: victim.key, value: gap },
  ]);

  await start(pipeline);
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));

  const dlq = await readAll(pipeline, `${pipeline.topics.orderEvents}.dlq`);
  const byKey = new Map(dlq.map((m) => [m.key!.toString(), m]));
  expect([...byKey.keys()].sort()).toEqual(['poison-1', 'poison-2', victim.key].sort());
  const header = (key: string, name: string) => byKey.get(key)!.headers![name]!.toString();
  expect(byKey.get('poison-1')!.value).toEqual(notAvro); // the original bytes
  expect(header('poison-1', DEAD_LETTER_HEADER.errorCode)).toBe('decode:bad-magic-byte');
  expect(header('poison-2', DEAD_LETTER_HEADER.errorCode)).toBe('decode:unknown-schema-id');
  expect(header(victim.key, DEAD_LETTER_HEADER.errorCode)).toBe('VERSION_GAP');
  expect(header(victim.key, DEAD_LETTER_HEADER.sourceTopic)).toBe(pipeline.topics.orderEvents);
  expect(header(victim.key, DEAD_LETTER_HEADER.processor)).toBe(group(pipeline));
  expect(Number(header('poison-1', DEAD_LETTER_HEADER.sourceOffset))).toBeGreaterThanOrEqual(0);
  expect(header('poison-1', DEAD_LETTER_HEADER.sourcePartition)).toMatch(/^\d+$/);

  // everything else flowed
  const latest = new Map((await stateLog(pipeline)).map((s) => [s.orderId, s]));
  expect(latest).toEqual(expectedStates(records));
});

test('a fresh process rebuilds its state from the changelog before processing', async () => {
  const pipeline = await createTestPipeline('agg-restore');
  const records = generated(14, 600);
  // the first half of every order's history, then the rest: the second run needs the first run's state
  const cut = records.length / 2;
  await produce(pipeline, toTopics(pipeline, records.slice(0, cut)));
  const first = await start(pipeline);
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));
  first.kill('SIGTERM');
  await exited(first);

  await produce(pipeline, toTopics(pipeline, records.slice(cut)));
  await start(pipeline);
  await waitForCaughtUp(pipeline, group(pipeline), inputs(pipeline));
  expectExact(await stateLog(pipeline), records);
  // without the restored state, later events would have been dead-lettered as NOT_PLACED or gaps
  expect(await readAll(pipeline, `${pipeline.topics.orderEvents}.dlq`)).toEqual([]);
});
