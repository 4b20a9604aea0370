/**
 * Produce benchmark (`npm run bench:produce`): how much the Publisher
 * (validation, Avro encoding, schema registry, keys, headers, batching)
 * costs against kafkajs alone sending the same bytes.
 *
 * In one run, the same N generated events are published
 *   (a) through the Publisher, from the tagged values, and
 *   (b) with raw kafkajs, from bytes encoded before the clock starts,
 * with the same producer settings (producerDefaults: idempotent) and batch
 * size, to topics of their own. A warm-up (not reported) resolves schema ids
 * and warms the JIT. Each of `--rounds` rounds publishes all N events on both
 * paths, interleaved in segments (avro, raw, raw, avro, …) so that both see
 * the same background load (the broker shares the machine); a round's ratio
 * is its Avro rate over its raw rate, and the median round ratio is the
 * result. Target: (a) ≥ 80% of (b).
 *
 * Writes the result as JSON to --out and a table to stdout.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { catalogRecordSet, createRegistryClient } from '../../lib/registry';
import { AvroEncoder } from '../../lib/serde';
import { EXIT_FAILED, EXIT_OK, columns, runCli } from '../../scripts/cli';
import { producerCliContext } from '../cli-context';
import { Publisher, PreparedRecord } from '../event-publisher';
import { InFlightWindow, inFlightCallsFor } from '../in-flight-window';
import { GeneratedRecord, generateLifecycles } from '../loadgen/lifecycle';
import { BENCH_USAGE, BenchArgs, parseBenchArgs } from './bench-args';
import { BENCH_TOPICS, createBenchTopics, deleteTopics } from './bench-topics';
import { MachineDescription, describeMachine } from '../../lib/bench/machine';
import { RawRecord, rawBatches, sendRaw } from './raw-send';

const WARM_UP_EVENTS = 20_000;
/**
 * Subjects of the benchmark's records: stable across runs (the topics are
 * not), so repeated runs reuse the same registry subjects instead of adding
 * a set per run.
 */
const BENCH_SUBJECT_PREFIX = 'bench.';
const TARGET_RATIO = 0.8;

type Path = 'avro' | 'raw';

interface PathRound {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** CPU time of this process (all threads, GC included) per event: less sensitive to other load than wall time. */
  readonly cpuMicrosPerEvent: number;
}

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

interface Round {
  readonly round: number;
  readonly avro: PathRound;
  readonly raw: PathRound;
  /** avro / raw events per second in this round. */
  readonly ratio: number;
}

interface PathResult {
  readonly description: string;
  readonly medianEventsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly medianCpuMicrosPerEvent: number;
}

export interface ProduceBenchResult {
  readonly benchmark: 'produce';
  readonly startedAt: string;
  readonly machine: MachineDescription & { readonly kafka: string; readonly loadAverage: readonly number[] };
  readonly settings: {
    readonly events: number;
    readonly rounds: number;
    readonly segment: number;
    readonly batchSize: number;
    readonly lingerMs: number;
    readonly seed: number;
    readonly eventsPerPublishCall: number;
    readonly publishCallsInFlight: number;
    readonly producer: string;
  };
  readonly avro: PathResult;
  readonly raw: PathResult;
  readonly rounds: readonly Round[];
  /** Median of the rounds' avro / raw ratios. */
  readonly ratio: number;
  readonly target: number;
  readonly meetsTarget: boolean;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

/**
 * The Avro path as an application feeds it: publish calls of `callSize`
 * events, `inFlight` of them awaiting acknowledgement (enough to keep a batch
 * accumulating while the previous one is sent; more only holds more events
 * in memory, which the garbage collector pays for).
 */
async function timeAvro(publisher: Publisher, events: readonly GeneratedRecord[], args: BenchArgs): Promise<Timing> {
  return timed(async () => {
    const window = new InFlightWindow(args.inFlight ?? inFlightCallsFor(args.callSize, args.batchSize));
    for (let i = 0; i < events.length; i += args.callSize) await window.add(publisher.publish(events.slice(i, i + args.callSize)));
    await window.drain();
  });
}

function timeRaw(producer: Producer, records: readonly RawRecord[], batchSize: number): Promise<Timing> {
  return timed(() => sendRaw(producer, rawBatches(records, batchSize)));
}

function pathResult(description: string, rounds: readonly PathRound[], bytesPerEvent: number): PathResult {
  const perSecond = median(rounds.map((r) => r.eventsPerSecond));
  return {
    description,
    medianEventsPerSecond: Math.round(perSecond),
    megabytesPerSecond: Math.round(((perSecond * bytesPerEvent) / 1e6) * 100) / 100,
    medianCpuMicrosPerEvent: Math.round(median(rounds.map((r) => r.cpuMicrosPerEvent)) * 100) / 100,
  };
}

function renderTable(result: ProduceBenchResult): string {
  const m = result.machine;
  const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  const summary = [
    ['path', 'events/s (median)', 'MB/s', 'CPU µs/event'],
    ['Publisher (validate + Avro + registry)', rate(result.avro.medianEventsPerSecond), result.avro.megabytesPerSecond.toFixed(2), result.avro.medianCpuMicrosPerEvent.toFixed(2)],
    ['raw kafkajs (same bytes)', rate(result.raw.medianEventsPerSecond), result.raw.megabytesPerSecond.toFixed(2), result.raw.medianCpuMicrosPerEvent.toFixed(2)],
  ];
  const rounds = [
    ['round', 'avro events/s', 'raw events/s', 'ratio', 'avro CPU µs/event', 'raw CPU µs/event'],
    ...result.rounds.map((r) => [
      String(r.round),
      rate(r.avro.eventsPerSecond),
      rate(r.raw.eventsPerSecond),
      pct(r.ratio),
      r.avro.cpuMicrosPerEvent.toFixed(2),
      r.raw.cpuMicrosPerEvent.toFixed(2),
    ]),
  ];
  return [
    `produce benchmark: ${result.settings.events.toLocaleString('en-US')} events per path and round, batch ${result.settings.batchSize}, ${result.settings.rounds} round(s) interleaved in segments of ${result.settings.segment.toLocaleString('en-US')}`,
    ...columns(summary),
    '',
    ...columns(rounds),
    '',
    `ratio Avro/raw (median of rounds): ${pct(result.ratio)} (target ≥ ${pct(result.target)}: ${result.meetsTarget ? 'met' : 'NOT met'})`,
    `machine: ${m.cpuModel} × ${m.cpuCount}, ${m.totalMemoryGiB} GiB, ${m.platform}, node ${m.node}, kafkajs ${m.kafkajs}; ${m.kafka}; load average at start ${m.loadAverage.join(' ')}`,
  ].join('\n');
}

export async function runProduceBench(args: BenchArgs, progress: (line: string) => void = () => {}): Promise<ProduceBenchResult> {
  const { config, logger } = producerCliContext('produce-bench');
  const startedAt = new Date().toISOString();
  // Other work on the machine (the broker's own, other processes) moves the absolute figures; the ratio is what compares.
  const loadAverage = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const runId = `bench-${Date.now().toString(36)}`;
  const prefixes: Record<Path, string> = { avro: `${runId}-avro.`, raw: `${runId}-raw.` };
  const kafka = createKafka(config.kafka, logger, `${config.kafka.clientId}-bench`);
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  const records = catalogRecordSet(undefined, { topicPrefix: BENCH_SUBJECT_PREFIX });
  const encoder = new AvroEncoder({ registry: createRegistryClient(config.schemaRegistry, { logger }), records, logger });
  const publisher = new Publisher({
    producer: kafka.producer(producerDefaults()),
    encoder,
    records,
    topicPrefix: prefixes.avro,
    batch: { maxBatchMessages: args.batchSize, lingerMs: args.lingerMs },
    logger,
  });
  const rawProducer = kafka.producer(producerDefaults());
  try {
    for (const prefix of Object.values(prefixes)) topics.push(...(await createBenchTopics(admin, prefix, logger)));
    progress(`generating ${args.events.toLocaleString('en-US')} events (seed ${args.seed})…`);
    const events = generate(args.events, args.seed);
    await publisher.connect();
    await rawProducer.connect();
    await publisher.prepareSchemas(BENCH_TOPICS);

    // The raw path's bytes: exactly what the publisher sends (key, Avro value, headers), encoded now, off the clock.
    const prepared = await publisher.prepare(events);
    if (prepared.rejected.length > 0) throw new Error(`generated events failed validation: ${prepared.rejected[0]!.reason}`);
    const rawRecords: RawRecord[] = prepared.records.map((r: PreparedRecord) => ({ topic: prefixes.raw + r.catalogTopic, message: r.message }));
    const bytes = prepared.records.reduce((sum, r) => sum + r.size, 0);

    progress('warming up (not measured)…');
    const warmUp = Math.min(WARM_UP_EVENTS, events.length);
    await timeAvro(publisher, events.slice(0, warmUp), args);
    await timeRaw(rawProducer, rawRecords.slice(0, warmUp), args.batchSize);

    const rounds: Round[] = [];
    let segmentIndex = 0;
    for (let round = 1; round <= args.rounds; round++) {
      const seconds: Record<Path, number> = { avro: 0, raw: 0 };
      const cpuMicros: Record<Path, number> = { avro: 0, raw: 0 };
      for (let start = 0; start < events.length; start += args.segment, segmentIndex++) {
        const end = Math.min(events.length, start + args.segment);
        // Alternating which path goes first cancels what the first one pays (the other's garbage, broker flushes).
        const order: Path[] = segmentIndex % 2 === 0 ? ['avro', 'raw'] : ['raw', 'avro'];
        for (const p of order) {
          const timing = p === 'avro' ? await timeAvro(publisher, events.slice(start, end), args) : await timeRaw(rawProducer, rawRecords.slice(start, end), args.batchSize);
          seconds[p] += timing.seconds;
          cpuMicros[p] += timing.cpuMicros;
        }
      }
      const pathRound = (p: Path): PathRound => ({
        seconds: Math.round(seconds[p] * 1000) / 1000,
        eventsPerSecond: Math.round(events.length / seconds[p]),
        cpuMicrosPerEvent: Math.round((cpuMicros[p] / events.length) * 100) / 100,
      });
      const avroRound = pathRound('avro');
      const rawRound = pathRound('raw');
      const result = { round, avro: avroRound, raw: rawRound, ratio: Math.round((avroRound.eventsPerSecond / rawRound.eventsPerSecond) * 1000) / 1000 };
      rounds.push(result);
      progress(
        `round ${round}/${args.rounds}: avro ${avroRound.eventsPerSecond.toLocaleString('en-US')} events/s (${avroRound.cpuMicrosPerEvent} µs CPU/event), raw ${rawRound.eventsPerSecond.toLocaleString('en-US')} events/s (${rawRound.cpuMicrosPerEvent} µs CPU/event), ratio ${(result.ratio * 100).toFixed(1)}%`,
      );
    }

    const bytesPerEvent = bytes / events.length;
    const avro = pathResult(
      'Publisher.publish: validate + Avro encode (schema ids cached) + key + headers + batching, idempotent kafkajs producer',
      rounds.map((r) => r.avro),
      bytesPerEvent,
    );
    const raw = pathResult('kafkajs sendBatch of the same pre-encoded messages (key, value, headers), same batch size, idempotent producer', rounds.map((r) => r.raw), bytesPerEvent);
    const ratio = Math.round(median(rounds.map((r) => r.ratio)) * 1000) / 1000;
    return {
      benchmark: 'produce',
      startedAt,
      machine: { ...describeMachine(), loadAverage, kafka: `broker(s) ${config.kafka.brokers.join(',')}${config.kafka.brokers.every((b) => /^(127\.|localhost)/.test(b)) ? ' on this machine (loopback), sharing its CPUs' : ''}` },
      settings: {
        events: events.length,
        rounds: args.rounds,
        segment: args.segment,
        batchSize: args.batchSize,
        lingerMs: args.lingerMs,
        seed: args.seed,
        eventsPerPublishCall: args.callSize,
        publishCallsInFlight: args.inFlight ?? inFlightCallsFor(args.callSize, args.batchSize),
        producer: 'producerDefaults(): idempotent, acks=all, maxInFlightRequests 1, Java-compatible partitioner, no compression',
      },
      avro,
      raw,
      rounds,
      ratio,
      target: TARGET_RATIO,
      meetsTarget: ratio >= TARGET_RATIO,
    };
  } finally {
    await publisher.close().catch(() => undefined);
    await rawProducer.disconnect().catch(() => undefined);
    if (!args.keepTopics) await deleteTopics(admin, topics).catch((err: unknown) => logger.warn({ err }, 'could not delete the benchmark topics'));
    await admin.disconnect();
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(process.argv.slice(2));
  const result = await runProduceBench(args, (line) => process.stderr.write(`${line}\n`));
  await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderTable(result)}\nresult written to ${args.out}\n`);
  return result.meetsTarget ? EXIT_OK : EXIT_FAILED;
}

if (require.main === module) runCli(BENCH_USAGE, main);
