/**
 * `npm run bench:sinks`: each sink's events/s beside raw consumption of its
 * input by the project's Kafka client (lib/bench/raw-consume.ts) and beside its
 * store's own ceiling, all measured in one run on this machine
 * (redis-sink-bench.ts, clickhouse-sink-bench.ts say what each measures).
 * Target: each sink at least 70% of raw consumption. Writes one JSON result
 * and prints a table.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { describeMachine } from '../../lib/bench/machine';
import { reportBenchResult } from '../../lib/bench/report-result';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { columns, EXIT_OK, parseCli, runCli, UsageError } from '../../lib/cli/cli';
import { SinkBenchContext, SinkBenchResult, TARGET_RATIO } from './bench-context';
import { benchClickHouseSink } from './clickhouse-sink-bench';
import { benchRedisSink } from './redis-sink-bench';

const SINKS = ['redis', 'clickhouse'] as const;
type SinkName = (typeof SINKS)[number];

const USAGE = `usage: npm run bench:sinks -- [options]
  --records <n>         records on each sink's input (default 200000): Redis, OrderState records;
                        ClickHouse, order and payment events with their order states
  --rounds <n>          measured rounds of raw consumption and of each sink, alternating order;
                        medians are reported (default 3)
  --only <sink>         redis or clickhouse (default: both)
  --redis-batch <n>     Redis sink batch size, SINK_BATCH_MAX_RECORDS (default: the sink's, 5000)
  --clickhouse-batch <n>  ClickHouse sink batch size (default: the sink's, 20000)
  --redis-url <url>     measure against this Redis (default: a private redis-server on a free port);
                        redis-benchmark writes keys of its own there (key:*, myhash, bench:*)
  --out <file>          JSON result (default bench-results/sinks.json)
  --json                print the JSON result instead of the table
ClickHouse is the project's (CLICKHOUSE_URL), in databases of the benchmark's own, dropped at the end.`;

interface Args {
  readonly records: number;
  readonly rounds: number;
  readonly sinks: readonly SinkName[];
  readonly redisBatch: number | undefined;
  readonly clickhouseBatch: number | undefined;
  readonly redisUrl: string | undefined;
  readonly out: string;
  readonly json: boolean;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = parseCli(argv, {
    records: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'redis-batch': { type: 'string' },
    'clickhouse-batch': { type: 'string' },
    'redis-url': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  const only = values.only;
  if (only !== undefined && !SINKS.includes(only as SinkName)) throw new UsageError(`--only must be one of ${SINKS.join(', ')}, got ${only}`);
  return {
    records: positiveInt('records', values.records) ?? 200_000,
    rounds: positiveInt('rounds', values.rounds) ?? 3,
    sinks: only === undefined ? SINKS : [only as SinkName],
    redisBatch: positiveInt('redis-batch', values['redis-batch']),
    clickhouseBatch: positiveInt('clickhouse-batch', values['clickhouse-batch']),
    redisUrl: values['redis-url'],
    out: values.out ?? 'bench-results/sinks.json',
    json: values.json ?? false,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger('sinks-bench', process.env['LOG_LEVEL'] ? config.logLevel : 'warn');
  const context: SinkBenchContext = {
    config,
    kafka: config.kafka,
    logger,
    codec: (prefix) => registryCodec({ ...config, topicPrefix: prefix }, logger),
    records: args.records,
    rounds: args.rounds,
    runId: `bench-sinks-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`,
    progress: (line) => {
      if (!args.json) process.stdout.write(`${line}\n`);
    },
  };
  const results: Partial<Record<SinkName, SinkBenchResult<Record<string, unknown>>>> = {};
  for (const sink of args.sinks) {
    results[sink] =
      sink === 'redis'
        ? await benchRedisSink(context, { batch: args.redisBatch, redisUrl: args.redisUrl })
        : await benchClickHouseSink(context, { batch: args.clickhouseBatch });
  }

  const machine = {
    ...describeMachine(),
    // the benchmark shares the machine (and its Kafka and ClickHouse) with whatever else runs: say how busy it was
    loadAverageAtEnd: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    brokers: `${config.kafka.brokers.join(',')} (shared with other work on this machine)`,
  };
  const output = {
    benchmark: 'sinks',
    at: new Date().toISOString(),
    machine,
    records: args.records,
    rounds: args.rounds,
    target: { sinkToRawClient: TARGET_RATIO },
    ...Object.fromEntries(Object.entries(results).map(([sink, r]) => [sink, r.result])),
    targets: Object.values(results).map((r) => r.target),
  };
  const all = Object.values(results);
  await reportBenchResult(args.out, output, args.json ?? false, () =>
    [
      '',
      ...columns([['', 'events/s', 'vs raw consumer', ''], ...all.flatMap((r) => r.rows)]),
      '',
      `machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, ${machine.platform}, node ${machine.node}, ${machine.kafkaClient}, Kafka ${machine.kafka}, ioredis ${machine.ioredis}; load average at the end ${machine.loadAverageAtEnd}`,
    ].join('\n'),
  );
  // a missed target is a result to report, not a failure of the benchmark
  return EXIT_OK;
}

runCli(USAGE, main);
