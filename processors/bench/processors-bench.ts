/**
 * Processor benchmark (`npm run bench:processors`), all in one run on the
 * same topics:
 *  - raw: the runtime's fetch loop (lib/kafka) only reading orders.events and
 *    payments.events;
 *  - aggregator vs Kafka Streams: alternating rounds of the order aggregator
 *    (exactly-once) and its Kafka Streams peer (scripts/bench/kafka-streams:
 *    the same fold, exactly_once_v2, a cached KTable aggregate) with an
 *    in-memory and a RocksDB store, each from the same topics until its
 *    committed offsets reach their end, each round a fresh group and fresh
 *    output topics; the median of each and the ratio aggregator / faster
 *    Kafka Streams store;
 *  - restore: a fresh task per partition restoring orders.state (records/s);
 *  - memory: heap per million OrderState keys in the in-memory store;
 *  - write ceiling: the OrderState records the aggregator wrote, produced
 *    again by the Kafka client alone in transactions of the aggregator's mean
 *    size. Any processor that reads the input and writes that output through
 *    the client on one event loop needs at least the read time plus the write
 *    time per event, which bounds its ratio to raw consumption at
 *    1 / (1 + raw read rate × states per event / raw write rate).
 * Writes JSON (--out) and prints a table, with the machine it ran on.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { TOPIC, topicNames, TopicNames } from '../../lib/topics';
import type { Logger } from '../../lib/logger';
import type { AppConfig } from '../../lib/config';
import { PROJECT_ROOT } from '../../lib/service/project-root';
import type { OrderState } from '../../schemas/generated/types';
import type { BenchTarget } from '../../lib/bench/bench-target';
import { describeMachine } from '../../lib/bench/machine';
import { rawConsume } from '../../lib/bench/raw-consume';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { foldOrder, AggregateEvent } from '../../lib/domain/orders/fold';
import { orderAggregator } from '../order-aggregator/processor';
import type { RecordCodec } from '../../lib/streaming/codec';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { ProcessorMetrics } from '../runtime/metrics';
import { InMemoryKeyValueStore } from '../runtime/stores/key-value-store';
import { StreamApp } from '../runtime/stream-app';
import { StreamTask } from '../runtime/stream-task';
import { requestChunks } from '../../lib/kafka/request-chunks';
import { createAdmin, createConsumer, createProducer, createTransactionalProducer, type Admin, type OutgoingRecord } from '../../lib/kafka/clients';
import { topicOffsets } from '../../lib/kafka/topic-offsets';
import { readTopicRecords } from '../../lib/kafka/topic-reader';
import { PartitionRangeReader } from '../../lib/kafka/partition-range-reader';
import {
  buildKafkaStreamsPeer,
  CatchUp,
  describeKafkaStreamsPeer,
  KAFKA_STREAMS_STORES,
  KafkaStreamsRound,
  KafkaStreamsStore,
  PEER_DEFAULTS,
  runKafkaStreamsRound,
  waitUntilCommitted,
} from '../../scripts/bench/kafka-streams-peer';

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

async function produceEvents(
  config: AppConfig,
  codec: RecordCodec,
  topics: TopicNames,
  orders: number,
): Promise<{ events: number; states: Map<string, OrderState> }> {
  const producer = createProducer(config.kafka, 'bench-events');
  const byOrder = new Map<string, AggregateEvent[]>();
  let events = 0;
  let batch: OutgoingRecord[] = [];
  const flush = async () => {
    for (const messages of requestChunks(batch)) await producer.send({ messages });
    batch = [];
  };
  for (const record of generateLifecycles({ seed: 7, customers: Math.ceil(orders / 5), orders })) {
    if (record.topic === TOPIC.customers) continue;
    const topic = record.topic === TOPIC.orderEvents ? topics.orderEvents : topics.paymentEvents;
    batch.push({ topic, key: Buffer.from(record.key), value: await codec.encode(topic, record.event) });
    byOrder.set(record.key, [...(byOrder.get(record.key) ?? []), record.event as AggregateEvent]);
    events += 1;
    if (batch.length >= 5000) await flush();
    if (events % 50_000 === 0) progress(`produced ${events} events`);
  }
  if (batch.length > 0) await flush();
  await producer.close();
  const states = new Map<string, OrderState>();
  for (const [orderId, history] of byOrder) {
    const { state } = foldOrder(history);
    if (state) states.set(orderId, state);
  }
  return { events, states };
}

/** Every record of a topic as a record for its own partition, in partition order. */
async function readBack(config: AppConfig, topic: string): Promise<OutgoingRecord[]> {
  const records = await readTopicRecords({ kafka: config.kafka, topic, clientId: `bench-readback-${randomUUID()}`, logger });
  return records.map(({ partition, key, value }) => ({ topic, partition, ...(key === null ? {} : { key }), ...(value === null ? {} : { value }) }));
}

/** Records/s of the runtime's Kafka client producing `records` alone, transactionally, `perTransaction` at a time, in requests as the runtime sends them. */
async function rawTransactionalProduce(config: AppConfig, records: readonly OutgoingRecord[], perTransaction: number): Promise<number> {
  const producer = createTransactionalProducer(config.kafka, 'bench-raw', `bench-raw-${randomUUID()}`, 30_000);
  const started = Date.now();
  for (let at = 0; at < records.length; at += perTransaction) {
    const transaction = await producer.beginTransaction();
    for (const chunk of requestChunks(records.slice(at, at + perTransaction))) await transaction.send({ messages: chunk });
    await transaction.commit();
  }
  const seconds = (Date.now() - started) / 1000;
  await producer.close();
  return records.length / seconds;
}

/** CPU time of this process (user + system) since `from`: on a shared machine, what the phase cost apart from waiting. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(from);
  return Number(((user + system) / 1e6).toFixed(2));
}

/** The targets on this 2-core machine with the broker on it. */
const TARGET = { ratio: 0.5, eventsPerSecond: 30_000, restoreRecordsPerSecond: 100_000, kafkaStreamsRatio: 0.8 } as const;

/** The broker's version as scripts/infra runs it (infra.env, or KAFKA_VERSION as infra reads it). */
function brokerVersion(): string {
  if (process.env.KAFKA_VERSION) return process.env.KAFKA_VERSION;
  const env = readFileSync(path.join(PROJECT_ROOT, 'scripts', 'infra.d', 'infra.env'), 'utf8');
  return /^KAFKA_VERSION=(.+)$/m.exec(env)?.[1]?.trim() ?? 'unknown';
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A round's codec: the shared inputs under the benchmark's prefix, the
 * round's own outputs under theirs (the registry codec knows a topic by its
 * catalog name under one prefix).
 */
function routedCodec(inputs: RecordCodec, outputs: RecordCodec, outputPrefix: string): RecordCodec {
  const pick = (topic: string) => (topic.startsWith(outputPrefix) ? outputs : inputs);
  return {
    decode: (topic, bytes) => pick(topic).decode(topic, bytes),
    decodeCached: (topic, bytes) => pick(topic).decodeCached?.(topic, bytes),
    encode: (topic, value) => pick(topic).encode(topic, value),
  };
}

interface AggregatorRound extends CatchUp {
  readonly round: number;
  readonly processCpuSeconds: number;
  readonly transactions: number;
}

/**
 * One aggregator round on the shared inputs: the first writes the
 * benchmark's own orders.state (restore and the write ceiling read it),
 * later ones outputs under `<prefix>agg-<round>.`, each with a group of its
 * own, so each reads everything and restores nothing.
 */
async function aggregatorRound(
  round: number,
  context: { admin: Admin; config: AppConfig; codec: RecordCodec; prefix: string; topics: TopicNames; events: number; logger: Logger },
): Promise<AggregatorRound> {
  const { admin, config, prefix, topics, events } = context;
  let roundTopics = topics;
  let codec = context.codec;
  if (round > 1) {
    const outputPrefix = `${prefix}agg-${round}.`;
    roundTopics = { ...topicNames(outputPrefix), orderEvents: topics.orderEvents, paymentEvents: topics.paymentEvents };
    const outputs = [roundTopics.orderState, roundTopics.pendingPayments];
    await provisionTopics(
      admin,
      desiredTopics(undefined, { prefix: outputPrefix }).filter((t) => outputs.includes(t.name)),
    );
    codec = routedCodec(context.codec, registryCodec({ ...config, topicPrefix: outputPrefix }, context.logger), outputPrefix);
  }
  const name = `${prefix}order-aggregator-${round}`;
  const app = new StreamApp({
    kafka: config.kafka,
    definition: orderAggregator(roundTopics, codec, name),
    codec,
    logger: context.logger,
    commitIntervalMs: config.processorCommitIntervalMs,
  });
  const started = Date.now();
  const cpu = process.cpuUsage();
  await app.start();
  const catchUp = await waitUntilCommitted(admin, name, [topics.orderEvents, topics.paymentEvents], events, started);
  const processCpuSeconds = cpuSeconds(cpu);
  await app.stop();
  const transactions = (await app.metrics.commits.get()).values.filter((v) => v.labels.result === 'committed').reduce((sum, v) => sum + v.value, 0);
  return { ...catchUp, round, processCpuSeconds, transactions };
}

const rounded = (catchUp: CatchUp) => ({
  eventsPerSecond: Math.round(catchUp.eventsPerSecond),
  seconds: catchUp.seconds,
  startupSeconds: catchUp.startupSeconds,
  eventsPerSecondIncludingStartup: Math.round(catchUp.eventsPerSecondIncludingStartup),
  eventsPerSecondSecondHalf: Math.round(catchUp.eventsPerSecondSecondHalf),
});

async function main(): Promise<void> {
  const orders = arg('orders', 40_000);
  const rounds = arg('rounds', 3);
  const config = loadConfig();
  // built before anything is measured, so Maven never shares the cores with a round
  progress('the Kafka Streams peer: building it if needed');
  await buildKafkaStreamsPeer();
  const peer = await describeKafkaStreamsPeer();
  const prefix = `bench-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const admin = createAdmin(config.kafka, 'bench-processors');
  await provisionTopics(admin, desiredTopics(undefined, { prefix }));
  const codec = registryCodec({ ...config, topicPrefix: prefix }, logger);
  const inputs = [topics.orderEvents, topics.paymentEvents];

  progress(`producing the events of ${orders} orders`);
  const { events, states } = await produceEvents(config, codec, topics, orders);

  progress("raw consumption (the runtime's fetch loop)");
  const rawPerSecond = (await rawConsume(config.kafka, inputs, events, logger)).perSecond;

  const context = { admin, config, codec, prefix, topics, events, logger };
  const aggregatorRounds: AggregatorRound[] = [];
  const streamsRounds: Record<KafkaStreamsStore, KafkaStreamsRound[]> = { memory: [], rocksdb: [] };
  for (let round = 1; round <= rounds; round += 1) {
    progress(`round ${round} of ${rounds}: order aggregator, exactly-once`);
    aggregatorRounds.push(await aggregatorRound(round, context));
    for (const store of KAFKA_STREAMS_STORES) {
      progress(`round ${round} of ${rounds}: Kafka Streams, ${store} store`);
      const applicationId = `${prefix}ks-${store}-${round}`;
      streamsRounds[store].push(
        await runKafkaStreamsRound({
          config,
          inputs: { orderEvents: topics.orderEvents, paymentEvents: topics.paymentEvents },
          outputTopic: `${applicationId}.${TOPIC.orderState}`,
          store,
          applicationId,
          commitIntervalMs: config.processorCommitIntervalMs,
          expectedEvents: events,
        }),
      );
    }
  }
  const aggregatorPerSecond = median(aggregatorRounds.map((r) => r.eventsPerSecond));
  const aggregatorSeconds = median(aggregatorRounds.map((r) => r.seconds));
  const aggregatorSecondHalf = median(aggregatorRounds.map((r) => r.eventsPerSecondSecondHalf));
  // the first round wrote the benchmark's orders.state: the write ceiling replays its transactions
  const transactions = aggregatorRounds[0]!.transactions;
  const streamsPerSecond = (store: KafkaStreamsStore) => median(streamsRounds[store].map((r) => r.eventsPerSecond));
  const fasterStore = KAFKA_STREAMS_STORES.reduce((best, store) => (streamsPerSecond(store) > streamsPerSecond(best) ? store : best));
  const streamsRatio = aggregatorPerSecond / streamsPerSecond(fasterStore);

  progress('restoring orders.state into fresh tasks');
  const metrics = new ProcessorMetrics('bench-restore');
  const definition = orderAggregator(topics, codec, `${prefix}restore`);
  // as in a StreamApp: one changelog reader for the instance, tasks started one after the other
  const restoreConsumer = createConsumer(config.kafka, {
    clientId: 'bench-restore',
    groupId: `${prefix}restore`,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    heartbeatIntervalMs: 1_000,
  });
  const changelogReader = new PartitionRangeReader(restoreConsumer, logger);
  const restoreStarted = Date.now();
  const restoreCpu = process.cpuUsage();
  let restored = 0;
  const partitions = (await topicOffsets(admin, topics.orderState)).map((o) => o.partition);
  for (const partition of partitions) {
    const task = new StreamTask({ definition, partition, codec, tables: new Map(), metrics, logger });
    await task.restore(changelogReader);
    restored += task.storeSizes().find((s) => s.name === 'order-state')?.size ?? 0;
    task.close();
  }
  const restoreSeconds = (Date.now() - restoreStarted) / 1000;
  const restoreCpuSeconds = cpuSeconds(restoreCpu);
  await changelogReader.close();
  await restoreConsumer.close(true);
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

  progress("write ceiling: the aggregator's output produced again by the Kafka client alone");
  const written = await readBack(config, topics.orderState);
  const perTransaction = Math.max(1, Math.round(written.length / Math.max(1, transactions)));
  const rawProducePerSecond = await rawTransactionalProduce(config, written, perTransaction);
  const statesPerEvent = written.length / events;
  const ceilingRatio = 1 / (1 + (rawPerSecond * statesPerEvent) / rawProducePerSecond);

  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
  await admin.close();

  const result = {
    benchmark: 'processors',
    at: new Date().toISOString(),
    machine: { ...describeMachine(), java: peer.java, jvm: peer.jvm, kafkaStreams: peer.kafkaStreams },
    broker: `Kafka ${brokerVersion()} on the same machine (scripts/infra)`,
    input: { orders, events, orderStates: states.size },
    rounds,
    rawConsumeEventsPerSecond: Math.round(rawPerSecond),
    aggregatorEventsPerSecond: Math.round(aggregatorPerSecond),
    aggregatorToRawRatio: Number((aggregatorPerSecond / rawPerSecond).toFixed(3)),
    aggregatorEventsPerSecondSecondHalf: Math.round(aggregatorSecondHalf),
    aggregatorIncludingStartup: {
      seconds: aggregatorSeconds,
      startupSeconds: median(aggregatorRounds.map((r) => r.startupSeconds)),
      eventsPerSecond: Math.round(median(aggregatorRounds.map((r) => r.eventsPerSecondIncludingStartup))),
      processCpuSeconds: median(aggregatorRounds.map((r) => r.processCpuSeconds)),
    },
    aggregatorRounds: aggregatorRounds.map((r) => ({ round: r.round, ...rounded(r), processCpuSeconds: r.processCpuSeconds, transactions: r.transactions })),
    /** The same fold as a Kafka Streams application (scripts/bench/kafka-streams), alternating with the aggregator on the same topics. */
    kafkaStreams: {
      version: peer.kafkaStreams,
      jvm: `${peer.jvm} (Java ${peer.java})`,
      settings: {
        processingGuarantee: 'exactly_once_v2',
        commitIntervalMs: config.processorCommitIntervalMs,
        statestoreCacheMaxBytes: PEER_DEFAULTS.cacheMaxBytes,
        streamThreads: PEER_DEFAULTS.threads,
        javaOpts: PEER_DEFAULTS.javaOpts,
      },
      stores: Object.fromEntries(
        KAFKA_STREAMS_STORES.map((store) => [
          store,
          {
            eventsPerSecond: Math.round(streamsPerSecond(store)),
            eventsPerSecondIncludingStartup: Math.round(median(streamsRounds[store].map((r) => r.eventsPerSecondIncludingStartup))),
            eventsPerSecondSecondHalf: Math.round(median(streamsRounds[store].map((r) => r.eventsPerSecondSecondHalf))),
            rounds: streamsRounds[store].map((r) => ({ ...rounded(r), processCpuSeconds: r.processCpuSeconds })),
            /** What the last round's fold did: applied, duplicates, parked payments, rejections by code (dropped, not dead-lettered). */
            fold: streamsRounds[store].at(-1)!.summary,
          },
        ]),
      ),
      /** By the steady figures (first commit to the end of the inputs), medians of the rounds: the target's ratio. */
      fasterStore,
      aggregatorToFasterStoreRatio: Number(streamsRatio.toFixed(3)),
      /** The same by the second half of each round alone, once both runtimes are warm (reported). */
      aggregatorToFasterStoreRatioSecondHalf: Number(
        (aggregatorSecondHalf / Math.max(...KAFKA_STREAMS_STORES.map((store) => median(streamsRounds[store].map((r) => r.eventsPerSecondSecondHalf))))).toFixed(
          3,
        ),
      ),
    },
    restore: {
      keys: restored,
      changelogRecords,
      seconds: restoreSeconds,
      recordsPerSecond: Math.round(changelogRecords / restoreSeconds),
      processCpuSeconds: restoreCpuSeconds,
    },
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
    {
      name: 'order aggregator throughput, exactly-once',
      measured: `${result.aggregatorEventsPerSecond} events/s`,
      target: `≥ ${TARGET.eventsPerSecond} events/s`,
      met: result.aggregatorEventsPerSecond >= TARGET.eventsPerSecond,
    },
    { name: 'order aggregator vs raw consumption', measured: String(ratio), target: `≥ ${TARGET.ratio}`, met: ratio >= TARGET.ratio },
    {
      name: 'changelog restore',
      measured: `${restoreRate} records/s`,
      target: `≥ ${TARGET.restoreRecordsPerSecond} records/s`,
      met: restoreRate >= TARGET.restoreRecordsPerSecond,
    },
    {
      name: `order aggregator vs Kafka Streams (${fasterStore} store, the faster), same data, same run`,
      measured: String(result.kafkaStreams.aggregatorToFasterStoreRatio),
      target: `≥ ${TARGET.kafkaStreamsRatio}`,
      met: result.kafkaStreams.aggregatorToFasterStoreRatio >= TARGET.kafkaStreamsRatio,
    },
  );
  const out = outPath();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const rows: Array<[string, string, string]> = [
    ['raw consume (fetch loop)', `${result.rawConsumeEventsPerSecond} events/s`, ''],
    [
      'order aggregator (exactly-once)',
      `${result.aggregatorEventsPerSecond} events/s`,
      `ratio ${ratio} (target ≥ ${TARGET.ratio}, ≥ ${TARGET.eventsPerSecond}/s); median of ${rounds}`,
    ],
    ...KAFKA_STREAMS_STORES.map((store): [string, string, string] => [
      `Kafka Streams ${peer.kafkaStreams}, ${store} store`,
      `${Math.round(streamsPerSecond(store))} events/s`,
      store === fasterStore ? `aggregator / this: ${result.kafkaStreams.aggregatorToFasterStoreRatio} (target ≥ ${TARGET.kafkaStreamsRatio})` : '',
    ]),
    ['changelog restore', `${result.restore.recordsPerSecond} records/s`, `(target ≥ ${TARGET.restoreRecordsPerSecond}/s)`],
    ['memory', `${result.memory.mibPerMillion} MiB per million OrderStates`, ''],
    [
      'raw transactional produce',
      `${result.writeCeiling.rawTransactionalProduceRecordsPerSecond} records/s`,
      `${result.writeCeiling.statesPerEvent} states per event, ${perTransaction} per transaction: ratio ceiling ${result.writeCeiling.ceilingRatio}`,
    ],
  ];
  process.stdout.write(
    `processors benchmark: ${events} events, ${result.machine.cpuCount} × ${result.machine.cpuModel}, node ${result.machine.node}, ${result.kafkaStreams.jvm}\n`,
  );
  for (const [what, figure, note] of rows) process.stdout.write(`  ${what.padEnd(34)} ${figure.padEnd(36)} ${note}\n`);
  process.stdout.write(`written to ${out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:processors failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
