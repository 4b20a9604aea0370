/**
 * Processor benchmark (`npm run bench:processors`), all in one run on the
 * same topics:
 *  - raw: a kafkajs consumer that only reads orders.events and payments.events;
 *  - aggregator: the order aggregator with exactly-once on, from the same
 *    topics until its committed offsets reach their end;
 *  - restore: a fresh task per partition restoring orders.state (records/s);
 *  - memory: heap per million OrderState keys in the in-memory store;
 *  - write ceiling: the OrderState records the aggregator wrote, produced
 *    again by kafkajs alone in transactions of the aggregator's mean size.
 *    Any processor that reads the input and writes that output through
 *    kafkajs on one event loop needs at least the read time plus the write
 *    time per event, which bounds its ratio to raw consumption at
 *    1 / (1 + raw read rate × states per event / raw write rate).
 * Writes JSON (--out) and prints a table, with the machine it ran on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { TOPIC, topicNames, TopicNames } from '../../lib/topics';
import type { OrderState } from '../../schemas/generated/types';
import type { BenchTarget } from '../../lib/bench/bench-target';
import { describeMachine } from '../../lib/bench/machine';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { foldOrder, AggregateEvent } from '../order-aggregator/fold';
import { orderAggregator } from '../order-aggregator/processor';
import type { RecordCodec } from '../runtime/codec';
import { registryCodec } from '../runtime/registry-codec';
import { ProcessorMetrics } from '../runtime/metrics';
import { InMemoryKeyValueStore } from '../runtime/stores/key-value-store';
import { StreamApp } from '../runtime/stream-app';
import { StreamTask } from '../runtime/stream-task';
import { PartitionReader, readPartitionsToEnd } from '../runtime/partition-reader';
import { requestChunks } from '../../lib/kafka/request-chunks';

const logger = createLogger('bench-processors', 'warn');

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got ${process.argv[at + 1]}`);
  return value;
}

function outPath(): string {
  const at = process.argv.indexOf('--out');
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : 'bench-results/processors.json';
}

const progress = (message: string) => process.stderr.write(`[bench:processors] ${message}\n`);

async function produceEvents(kafka: Kafka, codec: RecordCodec, topics: TopicNames, orders: number): Promise<{ events: number; states: Map<string, OrderState> }> {
  const producer = kafka.producer(producerDefaults());
  await producer.connect();
  const byOrder = new Map<string, AggregateEvent[]>();
  let events = 0;
  let batch: Array<{ topic: string; key: string; value: Buffer }> = [];
  const flush = async () => {
    const grouped = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (const m of batch) grouped.set(m.topic, [...(grouped.get(m.topic) ?? []), { key: m.key, value: m.value }]);
    await producer.sendBatch({ topicMessages: [...grouped].map(([topic, messages]) => ({ topic, messages })) });
    batch = [];
  };
  for (const record of generateLifecycles({ seed: 7, customers: Math.ceil(orders / 5), orders })) {
    if (record.topic === TOPIC.customers) continue;
    const topic = record.topic === TOPIC.orderEvents ? topics.orderEvents : topics.paymentEvents;
    batch.push({ topic, key: record.key, value: await codec.encode(topic, record.event) });
    byOrder.set(record.key, [...(byOrder.get(record.key) ?? []), record.event as AggregateEvent]);
    events += 1;
    if (batch.length >= 5000) await flush();
    if (events % 50_000 === 0) progress(`produced ${events} events`);
  }
  if (batch.length > 0) await flush();
  await producer.disconnect();
  const states = new Map<string, OrderState>();
  for (const [orderId, history] of byOrder) {
    const { state } = foldOrder(history);
    if (state) states.set(orderId, state);
  }
  return { events, states };
}

/** Events/s of a consumer that only reads (no decoding, no processing). */
async function rawConsume(kafka: Kafka, topics: readonly string[], expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 50 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  const seconds = await new Promise<number>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (started === 0) started = Date.now();
          seen += batch.messages.length;
          if (seen >= expected) resolve((Date.now() - started) / 1000);
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return expected / seconds;
}

/** Every record of a topic as a message for its own partition, in partition order. */
async function readBack(kafka: Kafka, topic: string): Promise<Message[]> {
  const messages: Message[] = [];
  await readPartitionsToEnd({
    kafka,
    topic,
    groupPrefix: `bench-readback-${randomUUID()}`,
    logger,
    onBatch: (partition, batch) => {
      for (const { key, value } of batch) messages.push({ key, value, partition });
    },
  });
  return messages;
}

/** Records/s of kafkajs producing `messages` alone, transactionally, `perTransaction` at a time, in requests as the runtime sends them. */
async function rawTransactionalProduce(kafka: Kafka, topic: string, messages: readonly Message[], perTransaction: number): Promise<number> {
  const producer = kafka.producer({ ...producerDefaults(), transactionalId: `bench-raw-${randomUUID()}` });
  await producer.connect();
  const started = Date.now();
  for (let at = 0; at < messages.length; at += perTransaction) {
    const transaction = await producer.transaction();
    const slice = messages.slice(at, at + perTransaction).map((m) => ({ ...m, key: m.key as Buffer | null, value: m.value as Buffer | null }));
    for (const chunk of requestChunks(slice)) await transaction.sendBatch({ topicMessages: [{ topic, messages: chunk }] });
    await transaction.commit();
  }
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  return messages.length / seconds;
}

/** CPU time of this process (user + system) since `from`: on a shared machine, what the phase cost apart from waiting. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(from);
  return Number(((user + system) / 1e6).toFixed(2));
}

/** Offsets the group committed, summed; polled with one admin, so the polling costs the measured process little. */
async function committedTotal(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  let total = 0;
  for (const topic of topics) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const p of committed?.partitions ?? []) total += Math.max(0, Number(p.offset));
  }
  return total;
}

/** The targets on this 2-core machine with the broker on it. */
const TARGET = { ratio: 0.5, eventsPerSecond: 30_000, restoreRecordsPerSecond: 100_000 } as const;

async function main(): Promise<void> {
  const orders = arg('orders', 40_000);
  const config = loadConfig();
  const prefix = `bench-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, desiredTopics(undefined, { prefix }));
  const codec = registryCodec({ ...config, topicPrefix: prefix }, logger);
  const inputs = [topics.orderEvents, topics.paymentEvents];

  progress(`producing the events of ${orders} orders`);
  const { events, states } = await produceEvents(kafka, codec, topics, orders);

  progress('raw kafkajs consumption');
  const rawPerSecond = await rawConsume(kafka, inputs, events);

  progress('order aggregator, exactly-once');
  const name = `${prefix}order-aggregator`;
  const app = new StreamApp({ kafka, definition: orderAggregator(topics, codec, name), codec, logger });
  const started = Date.now();
  const aggregatorCpu = process.cpuUsage();
  await app.start();
  let last = 0;
  // steady state starts at the first commit: group join and task start-up are measured apart
  let firstCommit: { at: number; committed: number } | undefined;
  while ((last = await committedTotal(admin, name, inputs)) < events) {
    if (firstCommit === undefined && last > 0) firstCommit = { at: Date.now(), committed: last };
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (Date.now() - started > 600_000) throw new Error(`aggregator stuck at ${last} of ${events}`);
  }
  const finished = Date.now();
  const aggregatorCpuSeconds = cpuSeconds(aggregatorCpu);
  const aggregatorSeconds = (finished - started) / 1000;
  await app.stop();
  const transactions = (await app.metrics.commits.get()).values.filter((v) => v.labels.result === 'committed').reduce((sum, v) => sum + v.value, 0);
  const aggregatorPerSecond = firstCommit ? (events - firstCommit.committed) / ((finished - firstCommit.at) / 1000) : events / aggregatorSeconds;
  const startupSeconds = firstCommit ? (firstCommit.at - started) / 1000 : 0;

  progress('restoring orders.state into fresh tasks');
  const metrics = new ProcessorMetrics('bench-restore');
  const definition = orderAggregator(topics, codec, `${prefix}restore`);
  // as in a StreamApp: one changelog reader for the instance, tasks started one after the other
  const changelogReader = new PartitionReader({ kafka, topics: definition.stores.map((s) => s.changelogTopic), groupPrefix: `${prefix}restore`, logger });
  const restoreStarted = Date.now();
  const restoreCpu = process.cpuUsage();
  let restored = 0;
  const partitions = (await admin.fetchTopicOffsets(topics.orderState)).map((o) => o.partition);
  for (const partition of partitions) {
    const task = new StreamTask({ kafka, definition, partition, codec, changelogReader, tables: new Map(), metrics, logger, transactionTimeoutMs: 30_000 });
    await task.init(async () => undefined);
    restored += task.storeSizes().find((s) => s.name === 'order-state')?.size ?? 0;
    await task.close();
  }
  const restoreSeconds = (Date.now() - restoreStarted) / 1000;
  const restoreCpuSeconds = cpuSeconds(restoreCpu);
  await changelogReader.close();
  const changelogRecords = (await metrics.restoredRecords.get()).values.reduce((sum, v) => sum + v.value, 0);

  progress('memory per million keys');
  const sample = [...states.values()];
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = new InMemoryKeyValueStore<OrderState>('memory');
  for (let i = 0; i < 1_000_000; i += 1) {
    const state = sample[i % sample.length]!;
    store.restore(`order-${i}`, { ...state, orderId: `order-${i}`, items: state.items.map((item) => ({ ...item })) });
  }
  gc?.();
  const bytesPerMillion = process.memoryUsage().heapUsed - before;
  if (store.size() !== 1_000_000) throw new Error('the store lost keys');

  progress('write ceiling: the aggregator\'s output produced again by kafkajs alone');
  const written = await readBack(kafka, topics.orderState);
  const perTransaction = Math.max(1, Math.round(written.length / Math.max(1, transactions)));
  const rawProducePerSecond = await rawTransactionalProduce(kafka, topics.orderState, written, perTransaction);
  const statesPerEvent = written.length / events;
  const ceilingRatio = 1 / (1 + (rawPerSecond * statesPerEvent) / rawProducePerSecond);

  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)), timeout: 30_000 }).catch(() => undefined);
  await admin.disconnect();

  const result = {
    benchmark: 'processors',
    at: new Date().toISOString(),
    machine: describeMachine(),
    broker: 'Kafka 3.9.1 on the same machine (scripts/infra)',
    input: { orders, events, orderStates: states.size },
    rawConsumeEventsPerSecond: Math.round(rawPerSecond),
    aggregatorEventsPerSecond: Math.round(aggregatorPerSecond),
    aggregatorToRawRatio: Number((aggregatorPerSecond / rawPerSecond).toFixed(3)),
    aggregatorIncludingStartup: { seconds: aggregatorSeconds, startupSeconds, eventsPerSecond: Math.round(events / aggregatorSeconds), processCpuSeconds: aggregatorCpuSeconds },
    restore: { keys: restored, changelogRecords, seconds: restoreSeconds, recordsPerSecond: Math.round(changelogRecords / restoreSeconds), processCpuSeconds: restoreCpuSeconds },
    memory: { bytesPerMillionOrderStates: bytesPerMillion, mibPerMillion: Math.round(bytesPerMillion / 1024 / 1024), gcExposed: gc !== undefined },
    writeCeiling: {
      statesWritten: written.length,
      statesPerEvent: Number(statesPerEvent.toFixed(3)),
      transactions,
      recordsPerTransaction: perTransaction,
      rawTransactionalProduceRecordsPerSecond: Math.round(rawProducePerSecond),
      /** The best ratio to raw consumption a consume-and-produce processor can reach here: reading and writing alone, processing free. */
      ceilingRatio: Number(ceilingRatio.toFixed(3)),
    },
    targets: [] as BenchTarget[],
  };
  const ratio = result.aggregatorToRawRatio;
  const restoreRate = result.restore.recordsPerSecond;
  result.targets.push(
    { name: 'order aggregator throughput, exactly-once', measured: `${result.aggregatorEventsPerSecond} events/s`, target: `≥ ${TARGET.eventsPerSecond} events/s`, met: result.aggregatorEventsPerSecond >= TARGET.eventsPerSecond },
    { name: 'order aggregator vs raw kafkajs consumption', measured: String(ratio), target: `≥ ${TARGET.ratio}`, met: ratio >= TARGET.ratio },
    { name: 'changelog restore', measured: `${restoreRate} records/s`, target: `≥ ${TARGET.restoreRecordsPerSecond} records/s`, met: restoreRate >= TARGET.restoreRecordsPerSecond },
  );
  const out = outPath();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const rows: Array<[string, string, string]> = [
    ['raw kafkajs consume', `${result.rawConsumeEventsPerSecond} events/s`, ''],
    ['order aggregator (exactly-once)', `${result.aggregatorEventsPerSecond} events/s`, `ratio ${ratio} (target ≥ ${TARGET.ratio}, ≥ ${TARGET.eventsPerSecond}/s)`],
    ['changelog restore', `${result.restore.recordsPerSecond} records/s`, `(target ≥ ${TARGET.restoreRecordsPerSecond}/s)`],
    ['memory', `${result.memory.mibPerMillion} MiB per million OrderStates`, ''],
    [
      'raw kafkajs transactional produce',
      `${result.writeCeiling.rawTransactionalProduceRecordsPerSecond} records/s`,
      `${result.writeCeiling.statesPerEvent} states per event, ${perTransaction} per transaction: ratio ceiling ${result.writeCeiling.ceilingRatio}`,
    ],
  ];
  process.stdout.write(`processors benchmark: ${events} events, ${result.machine.cpuCount} × ${result.machine.cpuModel}, node ${result.machine.node}\n`);
  for (const [what, figure, note] of rows) process.stdout.write(`  ${what.padEnd(34)} ${figure.padEnd(36)} ${note}\n`);
  process.stdout.write(`written to ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:processors failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
