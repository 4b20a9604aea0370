/**
 * End-to-end latency benchmark (`npm run bench:latency`): how long an order
 * event takes from being handed to the Publisher until its order's hash in
 * Redis shows it, at a steady rate, through the real services:
 *
 *   load generator → orders.events / payments.events → order-aggregator
 *     → orders.state → redis-sink → Redis
 *
 * Everything runs in an isolated copy of the pipeline (isolated-pipeline.ts)
 * that is deleted afterwards. The services run as child processes with the
 * settings of the environment (the defaults unless PROCESSOR_COMMIT_INTERVAL_MS
 * or SINK_* are set): the aggregator's outputs are readable only once its
 * exactly-once transaction committed (read_committed), which sets a floor
 * under the latency.
 *
 * Visibility is sampled: a poller asks Redis (pipelined HGETs) for the
 * version of every tracked order with an event not seen yet, every few
 * milliseconds (--poll-every); an event's latency is the time of the poll
 * that saw it minus its publish time (at most one poll period plus one poll
 * cycle late; both are reported). The poller does not spin: on this 2-core
 * machine a busy poll loop took most of a core from the pipeline it measures.
 * The shared Redis has no keyspace notifications, and its configuration is
 * not changed at run time. Events of the warm-up, which starts with the
 * first order event, are not tracked.
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import { describeMachine, MachineDescription } from '../../lib/bench/machine';
import { reportBenchResult } from '../../lib/bench/report-result';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import { durationFlag, intFlag, noPositionals, positiveNumberFlag } from '../../lib/cli/flag-values';
import { createPublisher } from '../../producers/create-publisher';
import { producerCliContext } from '../../producers/cli-context';
import { GENERATED_TOPICS } from '../../producers/loadgen/generated-topics';
import { runLoadgen } from '../../producers/loadgen/runner';
import type { OutgoingEvent } from '../../producers/outgoing-event';
import { redisKeys, sinkKeyPrefix } from '../../sinks/redis/keys';
import { redisSinkService } from '../../sinks/redis/service';
import { readSinkSettings } from '../../sinks/runtime/sink-settings';
import { columns, EXIT_OK, parseCli, runCli } from '../../lib/cli/cli';
import type { BenchTarget } from '../../lib/bench/bench-target';
import { createIsolatedPipeline } from './isolated-pipeline';
import { LatencySummary, summarizeLatencies } from './latency-stats';
import { VisibilityTracker } from './visibility-tracker';

const USAGE = `usage: npm run bench:latency -- [options]
End-to-end latency from publishing an order event to its order's version
being visible in Redis, at a steady rate, through the order-aggregator and
the redis-sink running as child processes on an isolated copy of the pipeline.
  --rate <n>          events per second (default 5000)
  --duration <d>      how long to publish, e.g. 30s, 2m (default 30s)
  --warm-up <d>       how long after the first order event measuring starts
                      (default 5s; the customers are published before it)
  --sample <n>        track one order in n (default 4; 1 tracks every order)
  --poll-every <ms>   how often to ask Redis for the tracked orders (default 5)
  --drain <d>         how long to wait for the last events to show (default 30s)
  --seed <n>          load generator seed (default 42)
  --reference-rate <n> then the same run at this rate, for comparison
                      (default 1000; 0 leaves it out)
  --out <file>        JSON result (default bench-results/latency.json)
  --json              print the JSON result instead of the table`;

const TARGET_P99_MS = 100;

interface LatencyArgs {
  readonly rate: number;
  readonly durationMs: number;
  readonly warmUpMs: number;
  readonly sampleEvery: number;
  readonly pollEveryMs: number;
  readonly drainMs: number;
  readonly seed: number;
  readonly referenceRate: number;
  readonly out: string;
  readonly json: boolean;
}

function parseLatencyArgs(argv: readonly string[]): LatencyArgs {
  const { values, positionals } = parseCli(argv, {
    rate: { type: 'string' },
    duration: { type: 'string' },
    'warm-up': { type: 'string' },
    sample: { type: 'string' },
    'poll-every': { type: 'string' },
    drain: { type: 'string' },
    seed: { type: 'string' },
    'reference-rate': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  noPositionals(positionals);
  return {
    rate: values.rate === undefined ? 5_000 : positiveNumberFlag('rate', values.rate),
    durationMs: values.duration === undefined ? 30_000 : durationFlag('duration', values.duration),
    warmUpMs: values['warm-up'] === undefined ? 5_000 : durationFlag('warm-up', values['warm-up'], { allowZero: true }),
    sampleEvery: values.sample === undefined ? 4 : intFlag('sample', values.sample, 1),
    pollEveryMs: values['poll-every'] === undefined ? 5 : intFlag('poll-every', values['poll-every'], 1),
    drainMs: values.drain === undefined ? 30_000 : durationFlag('drain', values.drain),
    seed: values.seed === undefined ? 42 : intFlag('seed', values.seed, Number.MIN_SAFE_INTEGER),
    referenceRate: values['reference-rate'] === undefined ? 1_000 : intFlag('reference-rate', values['reference-rate'], 0),
    out: values.out ?? 'bench-results/latency.json',
    json: values.json ?? false,
  };
}

export interface LatencyBenchResult {
  readonly benchmark: 'e2e-latency';
  readonly startedAt: string;
  readonly machine: MachineDescription & { readonly loadAverage: readonly number[] };
  readonly settings: {
    readonly targetRate: number;
    readonly durationSeconds: number;
    readonly warmUpSeconds: number;
    readonly sampledOneOrderIn: number;
    readonly pollEveryMs: number;
    readonly path: string;
    readonly services: string;
  };
  readonly produced: { readonly events: number; readonly eventsPerSecond: number };
  /** Tracked order events published after the warm-up. */
  readonly tracked: number;
  /** Tracked events not visible when the drain time ran out. */
  readonly notSeen: number;
  readonly latency: LatencySummary | null;
  /** Of which the producer's part: handed to the publisher until Kafka acknowledged it. */
  readonly acknowledged: LatencySummary | null;
  readonly meanPollCycleMs: number;
  readonly targets: readonly BenchTarget[];
  /** The same run at --reference-rate: how much of the latency is the machine's load. */
  readonly reference: ReferenceRun | null;
}

export interface ReferenceRun {
  readonly targetRate: number;
  readonly eventsPerSecond: number;
  readonly latency: LatencySummary | null;
  readonly acknowledged: LatencySummary | null;
  readonly notSeen: number;
}

/** The settings the services run with, as the environment gives them. */
function servicesSettings(commitIntervalMs: number): string {
  const { maxRecords, maxDelayMs } = readSinkSettings(redisSinkService.defaults).batching;
  return `aggregator starts an exactly-once commit every ${commitIntervalMs} ms (read_committed downstream); redis-sink batches up to ${maxRecords} records, linger ${maxDelayMs} ms`;
}

/** Polls Redis for the tracked orders' versions every `everyMs` until stopped. */
class VersionPoller {
  private stopped = false;
  private cycles = 0;
  private cycleMs = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly tracker: VisibilityTracker,
    private readonly orderKey: (orderId: string) => string,
    private readonly everyMs: number,
  ) {
    this.done = this.loop();
    // Awaited by stop(), which rethrows; not an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }

  get meanCycleMs(): number {
    return this.cycles === 0 ? 0 : Math.round((this.cycleMs / this.cycles) * 10) / 10;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    let next = performance.now();
    while (!this.stopped) {
      next += this.everyMs;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else next = performance.now(); // a slow cycle: start again from now rather than catch up in a burst
      const orders = this.tracker.pendingOrders();
      if (orders.length === 0) continue;
      const started = performance.now();
      const pipeline = this.redis.pipeline();
      for (const orderId of orders) pipeline.hget(this.orderKey(orderId), 'version');
      const replies = (await pipeline.exec()) ?? [];
      const at = performance.now();
      replies.forEach(([err, version], i) => {
        if (err === null && typeof version === 'string') this.tracker.observed(orders[i]!, Number(version), at);
      });
      this.cycles += 1;
      this.cycleMs += at - started;
    }
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

export async function runLatencyBench(args: LatencyArgs, progress: (line: string) => void): Promise<LatencyBenchResult> {
  const { config, logger } = producerCliContext('latency-bench');
  const startedAt = new Date().toISOString();
  const loadAverage = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const pipeline = await createIsolatedPipeline(config, logger, 'latency');
  const redis = createRedis(config.redis);
  try {
    progress(`isolated pipeline ${pipeline.prefix} (Redis keys ${pipeline.redisKeyPrefix}*); starting order-aggregator and redis-sink…`);
    await Promise.all([pipeline.start('order-aggregator'), pipeline.start('redis-sink')]);
    const publisher = await createPublisher(config, logger, { topicPrefix: pipeline.prefix, clientId: `${config.kafka.clientId}-latency-bench` });
    await publisher.prepareSchemas(GENERATED_TOPICS);

    const tracker = new VisibilityTracker();
    const keys = redisKeys(sinkKeyPrefix({ redis: { ...config.redis, keyPrefix: pipeline.redisKeyPrefix }, topicPrefix: pipeline.prefix }));
    const poller = new VersionPoller(redis, tracker, (orderId) => keys.order(orderId), args.pollEveryMs);
    const tracked = new Set<string>();
    let placed = 0;
    let trackedEvents = 0;
    // The load generator publishes the customers first (seconds of them at a low rate): the warm-up
    // counts from the first order event, so it warms the path being measured.
    let measureFrom: number | undefined;
    // Kafka's acknowledgement of each tracked event, to tell the producer's share of the latency from the pipeline's.
    const acknowledged: number[] = [];
    // Notes each tracked order event as it is handed to the publisher: the start of its end-to-end time.
    const sink = {
      publish: (events: readonly OutgoingEvent[]): Promise<number> => {
        const now = performance.now();
        let inCall = 0;
        for (const outgoing of events) {
          if (outgoing.topic !== TOPIC.orderEvents || outgoing.event === null) continue;
          const { envelope } = outgoing.event.value;
          measureFrom ??= now + args.warmUpMs;
          if (outgoing.event.type === 'OrderPlaced' && placed++ % args.sampleEvery === 0 && now >= measureFrom) tracked.add(envelope.aggregateId);
          if (!tracked.has(envelope.aggregateId)) continue;
          tracker.published(envelope.aggregateId, envelope.aggregateVersion, now);
          inCall += 1;
        }
        trackedEvents += inCall;
        const publishing = publisher.publish(events);
        if (inCall > 0) {
          void publishing.then(
            () => {
              const ackMs = performance.now() - now;
              for (let i = 0; i < inCall; i++) acknowledged.push(ackMs);
            },
            () => undefined,
          );
        }
        return publishing;
      },
    };
    progress(`publishing ${args.rate.toLocaleString('en-US')} events/s for ${args.durationMs / 1000} s (the first ${args.warmUpMs / 1000} s not measured)…`);
    const summary = await runLoadgen({
      publisher: sink,
      rate: args.rate,
      durationMs: args.durationMs,
      seed: args.seed,
      fraud: false,
      start: 'now',
      progressIntervalMs: 5_000,
      onProgress: (p) => {
        const seen = tracker.measured();
        const soFar = seen.length > 0 ? `, p99 so far ${summarizeLatencies(seen).p99Ms} ms over ${seen.length} events` : '';
        progress(`  ${Math.round(p.elapsedMs / 1000)} s: ${p.published.toLocaleString('en-US')} events published (${Math.round(p.rate)}/s)${soFar}`);
      },
    });
    await publisher.close();
    progress(
      `published ${summary.events.toLocaleString('en-US')} events at ${Math.round(summary.eventsPerSecond)}/s; waiting for the last ${tracker.pendingEvents} tracked events to show…`,
    );
    await waitUntil(() => tracker.pendingEvents === 0, args.drainMs);
    await poller.stop();
    const latency = tracker.measured().length > 0 ? summarizeLatencies(tracker.measured()) : null;
    const met = latency !== null && tracker.pendingEvents === 0 && latency.p99Ms < TARGET_P99_MS;
    return {
      benchmark: 'e2e-latency',
      startedAt,
      machine: { ...describeMachine(), loadAverage },
      settings: {
        targetRate: args.rate,
        durationSeconds: args.durationMs / 1000,
        warmUpSeconds: args.warmUpMs / 1000,
        sampledOneOrderIn: args.sampleEvery,
        pollEveryMs: args.pollEveryMs,
        path: 'Publisher → orders.events/payments.events → order-aggregator (EOS) → orders.state → redis-sink → Redis; latency of order events',
        services: servicesSettings(config.processorCommitIntervalMs),
      },
      produced: { events: summary.events, eventsPerSecond: Math.round(summary.eventsPerSecond) },
      tracked: trackedEvents,
      notSeen: tracker.pendingEvents,
      latency,
      acknowledged: acknowledged.length > 0 ? summarizeLatencies(acknowledged) : null,
      meanPollCycleMs: poller.meanCycleMs,
      targets: [
        {
          name: `p99 produce → visible in Redis at ${args.rate.toLocaleString('en-US')} events/s`,
          measured:
            latency === null ? 'no event seen' : `${latency.p99Ms} ms${tracker.pendingEvents > 0 ? ` (${tracker.pendingEvents} events never seen)` : ''}`,
          target: `< ${TARGET_P99_MS} ms`,
          met,
        },
      ],
      reference: null,
    };
  } finally {
    redis.disconnect();
    progress('cleaning up the isolated pipeline…');
    await pipeline.cleanup();
  }
}

function renderTable(result: LatencyBenchResult): string {
  const row = (name: string, l: LatencySummary | null): string[] =>
    l === null
      ? [name, '–', '–', '–', '–', '–', '0']
      : [name, String(l.p50Ms), String(l.p95Ms), String(l.p99Ms), String(l.maxMs), String(l.meanMs), String(l.samples)];
  const rows = [
    ['ms', 'p50', 'p95', 'p99', 'max', 'mean', 'events'],
    row('publish → visible in Redis', result.latency),
    row('of which publish → acknowledged', result.acknowledged),
  ];
  const { reference } = result;
  if (reference !== null) {
    const at = `${reference.eventsPerSecond.toLocaleString('en-US')}/s`;
    rows.push(row(`at ${at} (reference): publish → visible`, reference.latency), row(`at ${at} (reference): publish → acknowledged`, reference.acknowledged));
  }
  const [target] = result.targets;
  return [
    `end-to-end latency: ${result.produced.events.toLocaleString('en-US')} events at ${result.produced.eventsPerSecond.toLocaleString('en-US')}/s (target rate ${result.settings.targetRate.toLocaleString('en-US')}/s), one order in ${result.settings.sampledOneOrderIn} tracked`,
    ...columns(rows),
    `polled every ${result.settings.pollEveryMs} ms, a poll taking ${result.meanPollCycleMs} ms (latencies are at most one period and one poll late); ${result.notSeen} tracked events not seen`,
    `${target!.name}: ${target!.measured} (target ${target!.target}: ${target!.met ? 'met' : 'NOT met'})`,
    `services: ${result.settings.services}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const args = parseLatencyArgs(process.argv.slice(2));
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const measured = await runLatencyBench(args, progress);
  let reference: ReferenceRun | null = null;
  if (args.referenceRate > 0 && args.referenceRate !== args.rate) {
    progress(`\nthe same at ${args.referenceRate.toLocaleString('en-US')} events/s, for reference…`);
    const run = await runLatencyBench({ ...args, rate: args.referenceRate }, progress);
    reference = {
      targetRate: args.referenceRate,
      eventsPerSecond: run.produced.eventsPerSecond,
      latency: run.latency,
      acknowledged: run.acknowledged,
      notSeen: run.notSeen,
    };
  }
  const result: LatencyBenchResult = { ...measured, reference };
  await reportBenchResult(args.out, result, args.json, () => renderTable(result));
  return EXIT_OK;
}

if (require.main === module) runCli(USAGE, main);
