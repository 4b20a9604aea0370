/**
 * Replay benchmark (`npm run bench:replay`): rebuilding both projections from
 * the log. About a million generated events are published once into an
 * isolated copy of the pipeline and folded by the order-aggregator into
 * orders.state (not timed); then the redis-sink and the clickhouse-sink are
 * started together, as child processes with consumer groups of their own
 * (new, so they read from the earliest offset), and timed from their spawn
 * until each group has committed the end of every input topic. Target: both
 * within 2 minutes.
 *
 * The fraud detector does not run, so fraud.counters and fraud.alerts are
 * empty: the sinks replay the events and the order states. Topics, Redis
 * keys and the ClickHouse database of the run are deleted afterwards.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeMachine, MachineDescription } from '../../lib/bench/machine';
import { topicOffsets } from '../../lib/kafka/topic-offsets';
import { reportBenchResult } from '../../lib/bench/report-result';
import { TopicNames } from '../../lib/topics';
import { durationFlag, intFlag, noPositionals } from '../../lib/cli/flag-values';
import { producerCliContext } from '../../producers/cli-context';
import { createPublisher } from '../../producers/create-publisher';
import { GENERATED_TOPICS } from '../../producers/loadgen/generated-topics';
import { formatProgress } from '../../producers/loadgen/run-report';
import { EVENTS_PER_ORDER } from '../../producers/loadgen/run-timing';
import { runLoadgen } from '../../producers/loadgen/runner';
import { CliContext, columns, EXIT_OK, parseCli, runCli } from '../../lib/cli/cli';
import type { BenchTarget } from '../../lib/bench/bench-target';
import { clickhouseSinkService } from '../../sinks/clickhouse/service';
import { redisSinkService } from '../../sinks/redis/service';
import { IsolatedPipeline, RunningService, ServiceName, createIsolatedPipeline } from './isolated-pipeline';

const USAGE = `usage: npm run bench:replay -- [options]
Publishes about --events generated events into an isolated copy of the
pipeline, folds them with the order-aggregator, then times the redis-sink and
the clickhouse-sink replaying everything from the earliest offset, together.
  --events <n>        events to generate, about (default 1000000)
  --seed <n>          load generator seed (default 42)
  --timeout <d>       give up on a stage after this long (default 10m)
  --out <file>        JSON result (default bench-results/replay.json)
  --json              print the JSON result instead of the table`;

const TARGET_SECONDS = 120;
const PROGRESS_EVERY_MS = 5_000;

interface ReplayArgs {
  readonly events: number;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly out: string;
  readonly json: boolean;
}

function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const { values, positionals } = parseCli(argv, {
    events: { type: 'string' },
    seed: { type: 'string' },
    timeout: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  noPositionals(positionals);
  return {
    events: values.events === undefined ? 1_000_000 : intFlag('events', values.events, 1),
    seed: values.seed === undefined ? 42 : intFlag('seed', values.seed, Number.MIN_SAFE_INTEGER),
    timeoutMs: values.timeout === undefined ? 600_000 : durationFlag('timeout', values.timeout),
    out: values.out ?? 'bench-results/replay.json',
    json: values.json ?? false,
  };
}

type SinkName = Extract<ServiceName, 'redis-sink' | 'clickhouse-sink'>;

/** What each sink reads, from its service declaration. */
const SINK_INPUTS: Readonly<Record<SinkName, (topics: TopicNames) => string[]>> = {
  'redis-sink': redisSinkService.inputs,
  'clickhouse-sink': clickhouseSinkService.inputs,
};

export interface SinkReplay {
  /** Records in the sink's input topics: what it replays. */
  readonly records: number;
  /** From spawn until the group committed the end of every input. */
  readonly seconds: number;
  /** Of which start-up: spawn until /health answered. */
  readonly startupSeconds: number;
  readonly recordsPerSecond: number;
}

export interface ReplayBenchResult {
  readonly benchmark: 'replay';
  readonly startedAt: string;
  readonly machine: MachineDescription & { readonly loadAverage: readonly number[] };
  readonly input: { readonly events: number; readonly orderStates: number; readonly generateSeconds: number; readonly aggregateSeconds: number };
  readonly sinks: Readonly<Record<SinkName, SinkReplay>>;
  /** Both sinks, run together: until the later one caught up; events/s counts the generated events. */
  readonly both: { readonly seconds: number; readonly eventsPerSecond: number };
  readonly targets: readonly BenchTarget[];
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Records in the topics (log end minus log start, every partition). */
async function recordsIn(pipeline: IsolatedPipeline, topics: readonly string[]): Promise<number> {
  let total = 0;
  for (const topic of topics) for (const p of await topicOffsets(pipeline.admin, topic)) total += p.high - p.low;
  return total;
}

/** Polls the groups' lag until each is zero; returns when each caught up (performance.now()). */
async function waitForCatchUp(
  pipeline: IsolatedPipeline,
  groups: ReadonlyArray<{ readonly label: string; readonly groupId: string; readonly topics: readonly string[]; readonly records: number }>,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<number[]> {
  const started = performance.now();
  const caughtUpAt: Array<number | undefined> = groups.map(() => undefined);
  let reported = started;
  for (;;) {
    const lags = await Promise.all(groups.map((g, i) => (caughtUpAt[i] !== undefined ? 0 : pipeline.lag(g.groupId, g.topics))));
    const now = performance.now();
    lags.forEach((lag, i) => {
      if (lag === 0 && caughtUpAt[i] === undefined) caughtUpAt[i] = now;
    });
    if (caughtUpAt.every((at) => at !== undefined)) return caughtUpAt as number[];
    if (now - reported >= PROGRESS_EVERY_MS) {
      reported = now;
      const parts = groups.map((g, i) => `${g.label} ${int(g.records - lags[i]!)}/${int(g.records)}${caughtUpAt[i] !== undefined ? ' (caught up)' : ''}`);
      progress(`  ${Math.round((now - started) / 1000)} s: ${parts.join(', ')}`);
    }
    if (now - started > timeoutMs) {
      throw new Error(
        `${groups
          .filter((_, i) => caughtUpAt[i] === undefined)
          .map((g) => g.label)
          .join(' and ')} did not catch up within ${timeoutMs / 1000} s (lags ${lags.join(', ')})`,
      );
    }
    await sleep(250);
  }
}

async function generate(pipeline: IsolatedPipeline, args: ReplayArgs, { config, logger }: CliContext, progress: (line: string) => void): Promise<number> {
  const publisher = await createPublisher(config, logger, { topicPrefix: pipeline.prefix, clientId: `${config.kafka.clientId}-replay-bench` });
  try {
    await publisher.prepareSchemas(GENERATED_TOPICS);
    const summary = await runLoadgen({
      publisher,
      orders: Math.max(1, Math.round(args.events / EVENTS_PER_ORDER)),
      seed: args.seed,
      progressIntervalMs: PROGRESS_EVERY_MS,
      onProgress: (p) => progress(`  ${formatProgress(p)}`),
    });
    return summary.events;
  } finally {
    await publisher.close();
  }
}

export async function runReplayBench(args: ReplayArgs, progress: (line: string) => void): Promise<ReplayBenchResult> {
  const context = producerCliContext('replay-bench');
  const { config, logger } = context;
  const startedAt = new Date().toISOString();
  const loadAverage = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const pipeline = await createIsolatedPipeline(config, logger, 'replay');
  const { topics } = pipeline;
  try {
    progress(`isolated pipeline ${pipeline.prefix}, Redis keys ${pipeline.redisKeyPrefix}*, ClickHouse database ${pipeline.clickhouseDatabase}`);
    progress(`generating about ${int(args.events)} events (not timed)…`);
    let mark = performance.now();
    const events = await generate(pipeline, args, context, progress);
    const generateSeconds = (performance.now() - mark) / 1000;

    progress(`folding ${int(events)} events into orders.state with the order-aggregator (not timed)…`);
    mark = performance.now();
    const aggregator = await pipeline.start('order-aggregator');
    const eventTopics = [topics.orderEvents, topics.paymentEvents];
    await waitForCatchUp(
      pipeline,
      [{ label: 'order-aggregator', groupId: aggregator.groupId, topics: eventTopics, records: events }],
      args.timeoutMs,
      progress,
    );
    await pipeline.stop(aggregator);
    const aggregateSeconds = (performance.now() - mark) / 1000;

    const sinkNames: SinkName[] = ['redis-sink', 'clickhouse-sink'];
    const inputs = sinkNames.map((name) => SINK_INPUTS[name](topics));
    const records = await Promise.all(inputs.map((t) => recordsIn(pipeline, t)));
    const orderStates = await recordsIn(pipeline, [topics.orderState]);
    progress(`replaying into both sinks from the earliest offset (timed): redis-sink ${int(records[0]!)} records, clickhouse-sink ${int(records[1]!)}…`);
    const started = performance.now();
    const sinks: RunningService[] = await Promise.all(sinkNames.map((name) => pipeline.start(name)));
    const caughtUpAt = await waitForCatchUp(
      pipeline,
      sinks.map((s, i) => ({ label: s.name, groupId: s.groupId, topics: inputs[i]!, records: records[i]! })),
      args.timeoutMs,
      progress,
    );
    const replays = sinks.map((s, i): SinkReplay => {
      const seconds = (caughtUpAt[i]! - s.spawnedAt) / 1000;
      return {
        records: records[i]!,
        seconds: round1(seconds),
        startupSeconds: round1((s.healthyAt - s.spawnedAt) / 1000),
        recordsPerSecond: Math.round(records[i]! / seconds),
      };
    });
    const bothSeconds = (Math.max(...caughtUpAt) - started) / 1000;
    const [redisSink, clickhouseSink] = replays as [SinkReplay, SinkReplay];
    return {
      benchmark: 'replay',
      startedAt,
      machine: { ...describeMachine(), loadAverage },
      input: { events, orderStates, generateSeconds: round1(generateSeconds), aggregateSeconds: round1(aggregateSeconds) },
      sinks: { 'redis-sink': redisSink, 'clickhouse-sink': clickhouseSink },
      both: { seconds: round1(bothSeconds), eventsPerSecond: Math.round(events / bothSeconds) },
      targets: [
        {
          name: `replay of ${int(events)} events into both sinks (together, from spawn)`,
          measured: `${round1(bothSeconds)} s`,
          target: `< ${TARGET_SECONDS} s`,
          met: bothSeconds < TARGET_SECONDS,
        },
      ],
    };
  } finally {
    progress('cleaning up the isolated pipeline (topics, Redis keys, ClickHouse database)…');
    await pipeline.cleanup();
  }
}

function renderTable(result: ReplayBenchResult): string {
  const row = (name: string, s: SinkReplay) => [name, int(s.records), String(s.seconds), String(s.startupSeconds), int(s.recordsPerSecond)];
  const [target] = result.targets;
  return [
    `replay: ${int(result.input.events)} events, ${int(result.input.orderStates)} order states (generated in ${result.input.generateSeconds} s, folded in ${result.input.aggregateSeconds} s, not timed)`,
    ...columns([
      ['sink', 'records', 'seconds', 'of which start-up', 'records/s'],
      row('redis-sink', result.sinks['redis-sink']),
      row('clickhouse-sink', result.sinks['clickhouse-sink']),
      ['both, together', '', String(result.both.seconds), '', `${int(result.both.eventsPerSecond)} events/s`],
    ]),
    `${target!.name}: ${target!.measured} (target ${target!.target}: ${target!.met ? 'met' : 'NOT met'})`,
  ].join('\n');
}

async function main(): Promise<number> {
  const args = parseReplayArgs(process.argv.slice(2));
  const result = await runReplayBench(args, (line) => process.stderr.write(`${line}\n`));
  await reportBenchResult(args.out, result, args.json, () => renderTable(result));
  return EXIT_OK;
}

if (require.main === module) runCli(USAGE, main);
