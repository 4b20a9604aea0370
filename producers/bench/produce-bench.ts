/**
 * Produce benchmark (`npm run bench:produce`): how much the Publisher
 * (validation, Avro encoding, schema registry, keys, headers, batching)
 * costs against the project's Kafka client (lib/kafka, @platformatic/kafka)
 * alone sending the same bytes.
 *
 * In one run, the same N generated events are published
 *   (a) through the Publisher, from the tagged values, and
 *   (b) with the raw client, from bytes encoded before the clock starts,
 * with the same producer settings (createProducer: idempotent) and batch
 * size, to topics of their own. A warm-up (not reported) resolves schema ids
 * and warms the JIT. Each of `--rounds` rounds publishes all N events on both
 * paths, interleaved in segments (avro, raw, raw, avro, …) so that both see
 * the same background load (the broker shares the machine); a round's ratio
 * is its Avro rate over its raw rate, and the median round ratio is the
 * result. Target: (a) ≥ 80% of (b).
 *
 * Writes the result as JSON to --out and a table to stdout. Exits 0 whether
 * or not the target is met (the JSON says), so `npm run bench` goes on to
 * the other benchmarks; 1 only when the benchmark could not run.
 */
import os from 'node:os';
import { createAdmin, createProducer, type OutgoingRecord, type RecordProducer } from '../../lib/kafka/clients';
import { catalogRecordSet, createRegistryClient } from '../../lib/registry';
import { AvroEncoder } from '../../lib/serde';
import { EXIT_OK, runCli } from '../../lib/cli/cli';
import { producerCliContext } from '../cli-context';
import { Publisher } from '../event-publisher';
import { InFlightWindow, inFlightCallsFor } from '../in-flight-window';
import { GeneratedRecord, generateLifecycles } from '../loadgen/lifecycle';
import { BENCH_USAGE, BenchArgs, parseBenchArgs } from './bench-args';
import { BenchPath, ProduceBenchResult, Round, describeRound, median, pathResult, pathRound, renderTable } from './bench-result';
import { BENCH_TOPICS, createBenchTopics, deleteTopics } from './bench-topics';
import { describeMachine } from '../../lib/bench/machine';
import { reportBenchResult } from '../../lib/bench/report-result';
import { rawBatches, sendRaw } from './raw-send';

const WARM_UP_EVENTS = 20_000;
/**
 * Subjects of the benchmark's records: stable across runs (the topics are
 * not), so repeated runs reuse the same registry subjects instead of adding
 * a set per run.
 */
const BENCH_SUBJECT_PREFIX = 'bench.';
const TARGET_RATIO = 0.8;

interface Timing {
  readonly seconds: number;
  readonly cpuMicros: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await work();
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuMicros: used.user + used.system };
}

function generate(count: number, seed: number): GeneratedRecord[] {
  const events: GeneratedRecord[] = [];
  // A compressed lifecycle keeps the generator's open orders (memory) small; the events are the same kinds.
  for (const record of generateLifecycles({ seed, orders: Infinity, lifecycleTimeScale: 1 / 8640 })) {
    events.push(record);
    if (events.length >= count) break;
  }
  return events;
}

/** The two paths over the same events, ready to be timed on any slice. */
interface Paths {
  avro(start: number, end: number): Promise<Timing>;
  raw(start: number, end: number): Promise<Timing>;
}

function benchPaths(
  publisher: Publisher,
  rawProducer: RecordProducer,
  events: readonly GeneratedRecord[],
  rawRecords: readonly OutgoingRecord[],
  args: BenchArgs,
): Paths {
  // As an application feeds the publisher: calls of callSize events, enough of them in flight to keep batches full.
  const inFlight = args.inFlight ?? inFlightCallsFor(args.callSize, args.batchSize);
  return {
    avro: (start, end) =>
      timed(async () => {
        const window = new InFlightWindow(inFlight);
        for (let i = start; i < end; i += args.callSize) await window.add(publisher.publish(events.slice(i, Math.min(end, i + args.callSize))));
        await window.drain();
      }),
    raw: (start, end) => timed(() => sendRaw(rawProducer, rawBatches(rawRecords.slice(start, end), args.batchSize))),
  };
}

/** One round: every event through both paths, interleaved by segment, alternating which goes first. */
async function measureRound(paths: Paths, events: number, segment: number, round: number): Promise<Round> {
  const seconds: Record<BenchPath, number> = { avro: 0, raw: 0 };
  const cpuMicros: Record<BenchPath, number> = { avro: 0, raw: 0 };
  for (let start = 0, index = 0; start < events; start += segment, index++) {
    const end = Math.min(events, start + segment);
    // Alternating cancels what the first of a pair pays (the other's garbage, broker flushes).
    const order: BenchPath[] = (round + index) % 2 === 0 ? ['avro', 'raw'] : ['raw', 'avro'];
    for (const p of order) {
      const timing = await paths[p](start, end);
      seconds[p] += timing.seconds;
      cpuMicros[p] += timing.cpuMicros;
    }
  }
  const avro = pathRound(events, seconds.avro, cpuMicros.avro);
  const raw = pathRound(events, seconds.raw, cpuMicros.raw);
  return { round, avro, raw, ratio: Math.round((avro.eventsPerSecond / raw.eventsPerSecond) * 1000) / 1000 };
}

function describeKafka(brokers: readonly string[]): string {
  const local = brokers.every((b) => /^(127\.|localhost)/.test(b));
  return `broker(s) ${brokers.join(',')}${local ? ' on this machine (loopback), sharing its CPUs' : ''}`;
}

export async function runProduceBench(args: BenchArgs, progress: (line: string) => void = () => {}): Promise<ProduceBenchResult> {
  const { config, logger } = producerCliContext('produce-bench');
  const startedAt = new Date().toISOString();
  // Other work on the machine moves the absolute figures; the ratio is what compares.
  const loadAverage = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const runId = `bench-${Date.now().toString(36)}`;
  const prefixes: Record<BenchPath, string> = { avro: `${runId}-avro.`, raw: `${runId}-raw.` };
  const clientId = `${config.kafka.clientId}-bench`;
  const admin = createAdmin(config.kafka, clientId);
  const topics: string[] = [];
  const records = catalogRecordSet(undefined, { topicPrefix: BENCH_SUBJECT_PREFIX });
  const publisher = new Publisher({
    producer: createProducer(config.kafka, clientId),
    encoder: new AvroEncoder({ registry: createRegistryClient(config.schemaRegistry, { logger }), records, logger }),
    records,
    topicPrefix: prefixes.avro,
    batch: { maxBatchMessages: args.batchSize, lingerMs: args.lingerMs },
    logger,
  });
  const rawProducer = createProducer(config.kafka, clientId);
  try {
    for (const prefix of Object.values(prefixes)) topics.push(...(await createBenchTopics(admin, prefix, logger)));
    progress(`generating ${args.events.toLocaleString('en-US')} events (seed ${args.seed})…`);
    const events = generate(args.events, args.seed);
    await publisher.connect();
    await rawProducer.initIdempotentProducer({});
    await publisher.prepareSchemas(BENCH_TOPICS);

    // The raw path's bytes: exactly what the publisher sends (key, Avro value, headers), encoded now, off the clock.
    const prepared = await publisher.prepare(events);
    if (prepared.rejected.length > 0) throw new Error(`generated events failed validation: ${prepared.rejected[0]!.reason}`);
    const rawRecords = prepared.records.map((r): OutgoingRecord => ({ ...r.message, topic: prefixes.raw + r.catalogTopic }));
    const bytesPerEvent = prepared.records.reduce((sum, r) => sum + r.size, 0) / events.length;
    const paths = benchPaths(publisher, rawProducer, events, rawRecords, args);

    progress('warming up (not measured)…');
    const warmUp = Math.min(WARM_UP_EVENTS, events.length);
    await paths.avro(0, warmUp);
    await paths.raw(0, warmUp);

    const rounds: Round[] = [];
    for (let round = 1; round <= args.rounds; round++) {
      rounds.push(await measureRound(paths, events.length, args.segment, round));
      progress(describeRound(rounds[rounds.length - 1]!, args.rounds));
    }
    const ratio = Math.round(median(rounds.map((r) => r.ratio)) * 1000) / 1000;
    return {
      benchmark: 'produce',
      startedAt,
      machine: { ...describeMachine(), loadAverage, brokers: describeKafka(config.kafka.brokers) },
      settings: {
        events: events.length,
        rounds: args.rounds,
        segment: args.segment,
        batchSize: args.batchSize,
        lingerMs: args.lingerMs,
        seed: args.seed,
        eventsPerPublishCall: args.callSize,
        publishCallsInFlight: args.inFlight ?? inFlightCallsFor(args.callSize, args.batchSize),
        producer: 'createProducer(): @platformatic/kafka, idempotent, acks=all, one request in flight, Java-compatible partitioner, no compression',
      },
      avro: pathResult(
        'Publisher.publish: validate + Avro encode (schema ids cached) + key + headers + batching, idempotent @platformatic/kafka producer',
        rounds.map((r) => r.avro),
        bytesPerEvent,
      ),
      raw: pathResult(
        '@platformatic/kafka send of the same pre-encoded messages (key, value, headers), same batch size, idempotent producer',
        rounds.map((r) => r.raw),
        bytesPerEvent,
      ),
      rounds,
      ratio,
      target: TARGET_RATIO,
      meetsTarget: ratio >= TARGET_RATIO,
    };
  } finally {
    await publisher.close().catch(() => undefined);
    await rawProducer.close().catch(() => undefined);
    if (!args.keepTopics) await deleteTopics(admin, topics).catch((err: unknown) => logger.warn({ err }, 'could not delete the benchmark topics'));
    await admin.close();
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  const result = await runProduceBench(args, (line) => process.stderr.write(`${line}\n`));
  await reportBenchResult(args.out, result, args.json, () => renderTable(result));
  return EXIT_OK;
}

if (require.main === module) runCli(BENCH_USAGE, main);
