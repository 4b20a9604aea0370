/**
 * Redis sink benchmark (proposed `npm run bench:sinks`): events/s of the
 * Redis sink beside what bounds it, all measured in one run.
 *
 *   (a) raw kafkajs consuming the input topic (orders.state with N states
 *       of generated orders), same fetch settings, no decoding, no commits;
 *   (b) the Redis sink (sink engine + Redis writer, in this process)
 *       consuming the same topic into Redis: decode, plan, one pipeline of
 *       version-gated EVALSHA calls per batch, commit;
 *   (c) redis-benchmark's pipelined SET/HSET ceiling on the same Redis, and
 *       its ceiling for the sink's own script.
 *
 * (a) and (b) run `--rounds` times alternating which goes first, each round
 * with a fresh consumer group (and a fresh key prefix for the sink), timed
 * from the group join to the last record (sink: to the last commit);
 * medians are reported. Target: (b) ≥ 70% of (a).
 *
 * Redis is a private redis-server on a free port (AOF every second, like
 * the project's) unless --redis-url names another: the shared Redis is not
 * loaded by benchmarks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { createKafka, producerDefaults } from '../../lib/clients/kafka';
import { createRedis } from '../../lib/clients/redis';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { catalogRecordSet, createRegistryClient } from '../../lib/registry';
import { AvroDecoder, AvroEncoder } from '../../lib/serde';
import { TOPIC, TOPICS } from '../../lib/topics';
import { avroCodec } from '../../processors/runtime/codec';
import { columns, EXIT_OK, parseCli, runCli, UsageError } from '../../scripts/cli';
import { REDIS_SINK_BATCH } from '../redis/batching';
import { orderHashValues } from '../redis/order-hash';
import { LuaScripts } from '../redis/lua-scripts';
import type { RedisSinkValue } from '../redis/plan-batch';
import { RedisSinkWriter } from '../redis/redis-writer';
import { SinkEngine } from '../runtime/sink-engine';
import { mergeSinkSettings } from '../runtime/sink-settings';
import { orderStateChangelog } from './derived-records';
import { describeMachine } from '../../lib/bench/machine';
import { startPrivateRedis } from './private-redis';
import { ConsumeTiming, rawConsume } from './raw-consume';
import { measureRedisCeiling } from './redis-ceiling';

const USAGE = `usage: npx tsx sinks/bench/redis-sink-bench.ts [options]
  --states <n>       OrderState records on the input topic (default 200000)
  --rounds <n>       measured rounds of (a) and (b), alternating order; medians reported (default 3)
  --batch <n>        sink batch size, SINK_BATCH_MAX_RECORDS (default: the Redis sink's, 5000)
  --redis-url <url>  measure against this Redis (default: a private redis-server on a free port);
                     redis-benchmark writes keys of its own there (key:*, myhash, bench:*)
  --out <file>       JSON result (default bench-results/sinks-redis.json)
  --json             print the JSON result instead of the table`;

const TARGET_RATIO = 0.7;

interface Args {
  readonly states: number;
  readonly rounds: number;
  readonly batch: number | undefined;
  readonly redisUrl: string | undefined;
  readonly out: string;
  readonly json: boolean;
}

function positiveInt(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = parseCli(argv, {
    states: { type: 'string' },
    rounds: { type: 'string' },
    batch: { type: 'string' },
    'redis-url': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  return {
    states: positiveInt('states', values.states, 200_000) as number,
    rounds: positiveInt('rounds', values.rounds, 3) as number,
    batch: positiveInt('batch', values.batch, undefined),
    redisUrl: values['redis-url'],
    out: values.out ?? 'bench-results/sinks-redis.json',
    json: values.json ?? false,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const round1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger('redis-sink-bench', process.env['LOG_LEVEL'] ? config.logLevel : 'warn');
  const prefix = `bench-redis-sink-${Date.now().toString(36)}.`;
  const topic = `${prefix}${TOPIC.orderState}`;
  const kafka = createKafka(config.kafka, logger, 'redis-sink-bench');
  const admin = kafka.admin();
  await admin.connect();
  const server = args.redisUrl === undefined ? await startPrivateRedis({ persistence: 'everysec' }) : undefined;
  const redisUrl = server?.url ?? (args.redisUrl as string);
  const redisConfig = { ...config.redis, url: redisUrl, ...(server ? { username: undefined, password: undefined } : {}) };
  const redis = createRedis(redisConfig);
  try {
    // (0) the input: N states of generated orders, Avro-encoded through the registry, produced once
    const specs = TOPICS.filter((spec) => spec.name === TOPIC.orderState).map((spec) => ({ ...spec, hasDeadLetter: false }));
    await provisionTopics(admin, desiredTopics(specs, { prefix }), { logger });
    const orders = Math.ceil(args.states / 4);
    let states = orderStateChangelog({ seed: 7, orders });
    while (states.length < args.states) states = orderStateChangelog({ seed: 7, orders: Math.ceil(orders * (args.states / states.length) * 1.1) });
    states = states.slice(0, args.states);
    const registry = createRegistryClient(config.schemaRegistry, { logger });
    const records = catalogRecordSet(undefined, { topicPrefix: prefix });
    const codec = avroCodec(new AvroEncoder({ registry, records, logger }), new AvroDecoder({ registry, records, logger }), prefix);
    const producer = kafka.producer(producerDefaults());
    await producer.connect();
    const producedAt = performance.now();
    let bytes = 0;
    for (let i = 0; i < states.length; i += 5_000) {
      const messages = await Promise.all(
        states.slice(i, i + 5_000).map(async ({ key, value }) => {
          const encoded = await codec.encode(topic, { type: 'OrderState', value });
          bytes += encoded.length;
          return { key, value: encoded };
        }),
      );
      await producer.send({ topic, messages });
    }
    await producer.disconnect();
    const produceSeconds = (performance.now() - producedAt) / 1000;
    const distinctOrders = new Set(states.map((s) => s.key)).size;
    if (!args.json) {
      process.stdout.write(`input: ${states.length} OrderState records of ${distinctOrders} orders, ${Math.round(bytes / states.length)} bytes on average, produced in ${produceSeconds.toFixed(1)} s\n`);
    }

    // (a) and (b), alternating
    const settings = mergeSinkSettings({ batching: { ...REDIS_SINK_BATCH, ...(args.batch !== undefined ? { maxRecords: args.batch } : {}) } });
    const raw: ConsumeTiming[] = [];
    const sink: Array<ConsumeTiming & { collapsed: number; keys: number; writeSeconds: number; redisCpu: number }> = [];
    for (let round = 0; round < args.rounds; round++) {
      const order = round % 2 === 0 ? (['raw', 'sink'] as const) : (['sink', 'raw'] as const);
      for (const which of order) {
        if (which === 'raw') {
          raw.push(await rawConsume(kafka, topic, states.length, prefix));
        } else {
          sink.push(await runSink(round));
        }
        if (!args.json) {
          const s = which === 'sink' ? sink[sink.length - 1] : undefined;
          const last = s ?? raw[raw.length - 1];
          const cpu = `; CPU: this process ${last?.nodeCpu.toFixed(2)} s`;
          const detail = s ? `${cpu}, Redis ${s.redisCpu.toFixed(2)} s; ${s.collapsed} records folded into newer ones` : cpu;
          if (last) process.stdout.write(`round ${round + 1}: ${which === 'raw' ? '(a) raw kafkajs' : '(b) Redis sink '}  ${Math.round(last.perSecond)} events/s  (${last.seconds.toFixed(2)} s${detail})\n`);
        }
      }
    }

    async function runSink(round: number): Promise<ConsumeTiming & { collapsed: number; keys: number; writeSeconds: number; redisCpu: number }> {
      const keyPrefix = `bench:${round}:`;
      const writer = new RedisSinkWriter({ redis: redisConfig, keyPrefix });
      let joinedAt = 0;
      let committed = 0;
      let finished: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (finished = resolve));
      const positions = new Map<number, number>();
      const engine = new SinkEngine<RedisSinkValue>({
        kafka,
        name: `${prefix}redis-sink-${round}`,
        topics: [topic],
        topicPrefix: prefix,
        codec,
        writer,
        logger,
        settings,
        hooks: {
          joined: () => {
            if (joinedAt !== 0) return;
            joinedAt = performance.now();
            nodeCpuBefore = process.cpuUsage();
          },
          committed: (offsets) => {
            for (const { partition, offset } of offsets) positions.set(partition, Number(offset));
            committed = [...positions.values()].reduce((a, b) => a + b, 0);
            if (committed >= states.length) finished();
          },
        },
      });
      const redisCpuBefore = await redisCpuSeconds();
      let nodeCpuBefore = process.cpuUsage();
      await engine.start();
      await done;
      const seconds = (performance.now() - joinedAt) / 1000;
      const nodeCpuUsed = process.cpuUsage(nodeCpuBefore);
      const nodeCpu = (nodeCpuUsed.user + nodeCpuUsed.system) / 1e6;
      const redisCpu = (await redisCpuSeconds()) - redisCpuBefore;
      const collapsed = (await engine.metrics.registry.getSingleMetric('sink_redis_collapsed_records_total')?.get())?.values[0]?.value ?? 0;
      const writeSeconds = (await engine.metrics.registry.getSingleMetric('sink_write_seconds')?.get())?.values.find((v) => (v as { metricName?: string }).metricName === 'sink_write_seconds_sum')?.value ?? 0;
      await engine.stop();
      const keys = (await redis.keys(`${keyPrefix}order:*`)).length;
      if (keys !== distinctOrders) throw new Error(`round ${round + 1}: Redis holds ${keys} orders, expected ${distinctOrders}: the sink lost or invented orders`);
      return { records: committed, seconds, perSecond: committed / seconds, collapsed, keys, writeSeconds, redisCpu, nodeCpu };
    }

    async function redisCpuSeconds(): Promise<number> {
      const info = await redis.info('cpu');
      const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
      return read('used_cpu_user') + read('used_cpu_sys');
    }

    // (c) the store's own ceilings
    const port = Number(new URL(redisUrl).port || 6379);
    const sample = states[states.length - 1]?.value;
    const ceilings = await measureRedisCeiling(port, {
      requests: 500_000,
      pipeline: 100,
      scripts: new LuaScripts(),
      orderValues: sample ? orderHashValues(sample) : [],
    });

    const rawPerSecond = median(raw.map((r) => r.perSecond));
    const sinkPerSecond = median(sink.map((r) => r.perSecond));
    const redisInfo = await redis.info('server');
    const result = {
      benchmark: 'redis-sink',
      at: new Date().toISOString(),
      machine: {
        ...describeMachine(),
        redis: /redis_version:(\S+)/.exec(redisInfo)?.[1] ?? 'unknown',
        // the benchmark shares the machine (and its Kafka) with whatever else runs: say how busy it was
        loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' '),
        redisServer: server ? 'private redis-server (appendonly yes, appendfsync everysec), same machine' : 'given by --redis-url',
        kafka: `${config.kafka.brokers.join(',')} (shared with other work on this machine)`,
      },
      input: { topic: TOPIC.orderState, records: states.length, orders: distinctOrders, averageBytes: Math.round(bytes / states.length), partitions: specs[0]?.partitions },
      settings: { batching: settings.batching, fetch: 'DEFAULT_SINK_FETCH', rounds: args.rounds },
      rawKafkajs: {
        eventsPerSecond: Math.round(rawPerSecond),
        cpuMicrosecondsPerEvent: round1(median(raw.map((r) => (r.nodeCpu * 1e6) / r.records))),
        rounds: raw.map((r) => ({ seconds: round1(r.seconds), eventsPerSecond: Math.round(r.perSecond), processCpuSeconds: round1(r.nodeCpu) })),
      },
      redisSink: {
        eventsPerSecond: Math.round(sinkPerSecond),
        cpuMicrosecondsPerEvent: round1(median(sink.map((r) => (r.nodeCpu * 1e6) / r.records))),
        redisCpuMicrosecondsPerEvent: round1(median(sink.map((r) => (r.redisCpu * 1e6) / r.records))),
        rounds: sink.map((r) => ({
          seconds: round1(r.seconds),
          eventsPerSecond: Math.round(r.perSecond),
          collapsedRecords: r.collapsed,
          // CPU of this process (consumer, decoding, planning, ioredis, including GC threads) and of Redis, against the round's wall time
          sinkProcessCpuSeconds: round1(r.nodeCpu),
          redisCpuSeconds: round1(r.redisCpu),
          // summed durations of write() calls (they overlap when several are in flight)
          writeSeconds: round1(r.writeSeconds),
        })),
      },
      redisCeiling: ceilings.map((c) => ({ ...c, requestsPerSecond: Math.round(c.requestsPerSecond) })),
      ratios: {
        sinkToRawKafkajs: Math.round((sinkPerSecond / rawPerSecond) * 1000) / 1000,
        ...Object.fromEntries(ceilings.map((c) => [`sinkTo ${c.test}`, Math.round((sinkPerSecond / c.requestsPerSecond) * 1000) / 1000])),
      },
      target: { sinkToRawKafkajs: TARGET_RATIO, met: sinkPerSecond / rawPerSecond >= TARGET_RATIO },
    };
    await mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(result, null, 2)}\n`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const m = result.machine;
      const rows = [
        ['', 'events/s', 'vs raw kafkajs', 'CPU µs/event (this process)'],
        ['(a) raw kafkajs consumption', String(result.rawKafkajs.eventsPerSecond), '1.00', String(result.rawKafkajs.cpuMicrosecondsPerEvent)],
        ['(b) Redis sink', String(result.redisSink.eventsPerSecond), (sinkPerSecond / rawPerSecond).toFixed(2), `${result.redisSink.cpuMicrosecondsPerEvent} (+ Redis ${result.redisSink.redisCpuMicrosecondsPerEvent})`],
        ...ceilings.map((c) => [`(c) redis-benchmark ${c.test}`, String(Math.round(c.requestsPerSecond)), (c.requestsPerSecond / rawPerSecond).toFixed(2), '']),
      ];
      process.stdout.write(
        [
          '',
          ...columns(rows),
          '',
          `target: sink ≥ ${TARGET_RATIO * 100}% of raw kafkajs: ${result.target.met ? 'met' : 'NOT met'} (${((sinkPerSecond / rawPerSecond) * 100).toFixed(0)}%)`,
          `machine: ${m.cpuCount} × ${m.cpuModel}, ${m.totalMemoryGiB} GiB, ${m.platform}, node ${m.node}, kafkajs ${m.kafkajs}, ioredis ${m.ioredis}, redis ${m.redis}; load average at the end ${m.loadAverage}`,
          `written to ${args.out}`,
          '',
        ].join('\n'),
      );
    }
    return EXIT_OK;
  } finally {
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch(() => undefined);
    await admin.disconnect();
    if (server) {
      redis.disconnect();
      await server.close();
    } else {
      for (let round = 0; round < args.rounds; round++) {
        const keys = await redis.keys(`bench:${round}:*`);
        for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
      }
      redis.disconnect();
    }
  }
}

runCli(USAGE, main);
