/**
 * The Redis half of `npm run bench:sinks`: events/s of the Redis sink beside
 * what bounds it, all measured in one run.
 *
 *   (a) raw consumption (lib/bench/raw-consume.ts) of the input topic (orders.state with N states
 *       of generated orders), same fetch settings, no decoding, no commits;
 *   (b) the Redis sink (sink engine + Redis writer, in this process)
 *       consuming the same topic into Redis: decode, plan, one pipeline of
 *       version-gated EVALSHA calls per batch, commit;
 *   (c) redis-benchmark's pipelined SET/HSET ceiling on the same Redis, and
 *       its ceiling for the sink's own script.
 *
 * (a) and (b) alternate over the rounds, each round with a fresh consumer
 * group (and a fresh key prefix for the sink); medians are reported.
 * Target: (b) ≥ 70% of (a).
 *
 * Redis is a private redis-server on a free port (AOF every second, like
 * the project's) unless a URL is given: the shared Redis is not loaded by
 * benchmarks.
 */
import os from 'node:os';
import { createRedis } from '../../lib/clients/redis';
import { TOPIC } from '../../lib/topics';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { OrderState } from '../../schemas/generated/types';
import { REDIS_SINK_BATCH } from '../redis/batching';
import { LuaScripts } from '../redis/lua-scripts';
import { orderHashValues } from '../redis/order-hash';
import type { RedisSinkValue } from '../redis/plan-batch';
import { RedisSinkWriter } from '../redis/redis-writer';
import { mergeSinkSettings } from '../runtime/sink-settings';
import { alternatingRounds } from './alternating-rounds';
import { createBenchTopics, deleteBenchTopics, ProducedInput, produceInput } from './bench-input';
import { SINK_FETCH, SinkBenchContext, SinkBenchResult, TARGET_RATIO } from './bench-context';
import { median, ratio, round1 } from './bench-stats';
import { firstOf, orderStateChangelog } from './derived-records';
import { startPrivateRedis } from './private-redis';
import { rawConsume } from '../../lib/bench/raw-consume';
import { measureRedisCeiling } from './redis-ceiling';
import { metricValue, runTimedSink, SinkTiming } from './timed-sink';

export interface RedisBenchOptions {
  /** Sink batch size (SINK_BATCH_MAX_RECORDS); default the Redis sink's. */
  readonly batch?: number;
  /** Measure against this Redis instead of a private redis-server; redis-benchmark writes keys of its own there. */
  readonly redisUrl?: string;
}

interface RedisSinkRound extends SinkTiming {
  readonly collapsed: number;
  readonly redisCpu: number;
}

/**
 * Generates and produces the input, keeping only what the measurement
 * needs: the generated states themselves would sit in the heap during the
 * rounds and slow down every garbage collection of the sink.
 */
async function produceStates(
  context: SinkBenchContext,
  codec: RecordCodec,
  prefix: string,
): Promise<ProducedInput & { orders: number; sample: OrderState | undefined }> {
  // N OrderState records of generated orders, as the order aggregator would write them
  const states = firstOf(context.records, 4, (orders) => orderStateChangelog({ seed: 7, orders }));
  const produced = await produceInput(
    context.kafka,
    codec,
    prefix,
    states.map(({ key, value }) => ({ topic: TOPIC.orderState, key, value: { type: 'OrderState', value } })),
  );
  return { ...produced, orders: new Set(states.map((s) => s.key)).size, sample: states[states.length - 1]?.value };
}

export async function benchRedisSink(context: SinkBenchContext, options: RedisBenchOptions = {}): Promise<SinkBenchResult<Record<string, unknown>>> {
  const { kafka, logger, config } = context;
  const prefix = `${context.runId}-redis.`;
  const topic = `${prefix}${TOPIC.orderState}`;
  const server = options.redisUrl === undefined ? await startPrivateRedis({ persistence: 'everysec' }) : undefined;
  const redisUrl = server?.url ?? (options.redisUrl as string);
  const redisConfig = { ...config.redis, url: redisUrl, ...(server ? { username: undefined, password: undefined } : {}) };
  const redis = createRedis(redisConfig);
  const keyPrefix = (round: number) => `${context.runId}:${round}:`;
  try {
    await createBenchTopics(kafka, prefix, [TOPIC.orderState], logger);
    const codec = context.codec(prefix);
    const input = await produceStates(context, codec, prefix);
    const distinctOrders = input.orders;
    context.progress(
      `Redis sink input: ${input.records} OrderState records of ${distinctOrders} orders, ${input.averageBytes} bytes on average, produced in ${input.seconds.toFixed(1)} s`,
    );

    const settings = mergeSinkSettings({ batching: { ...REDIS_SINK_BATCH, ...(options.batch !== undefined ? { maxRecords: options.batch } : {}) } });
    const redisCpuSeconds = async () => {
      const info = await redis.info('cpu');
      const read = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
      return read('used_cpu_user') + read('used_cpu_sys');
    };
    const runSink = async (round: number): Promise<RedisSinkRound> => {
      const before = await redisCpuSeconds();
      const timing = await runTimedSink<RedisSinkValue>({
        kafka,
        name: `${prefix}redis-sink-${round}`,
        topics: [topic],
        topicPrefix: prefix,
        codec,
        writer: new RedisSinkWriter({ redis: redisConfig, keyPrefix: keyPrefix(round) }),
        logger,
        settings,
        expected: input.records,
      });
      const redisCpu = (await redisCpuSeconds()) - before;
      const keys = (await redis.keys(`${keyPrefix(round)}order:*`)).length;
      if (keys !== distinctOrders)
        throw new Error(`Redis sink round ${round + 1}: Redis holds ${keys} orders, expected ${distinctOrders}: the sink lost or invented orders`);
      return { ...timing, collapsed: await metricValue(timing.metrics, 'sink_redis_collapsed_records_total'), redisCpu };
    };
    const rounds = await alternatingRounds(
      context.rounds,
      () => rawConsume(kafka, [topic], input.records, logger, SINK_FETCH),
      runSink,
      (round, which, t) => {
        const s = which === 'sink' ? (t as RedisSinkRound) : undefined;
        const detail = s ? `, Redis ${s.redisCpu.toFixed(2)} s; ${s.collapsed} records folded into newer ones` : '';
        context.progress(
          `round ${round + 1}: ${which === 'raw' ? '(a) raw consumer' : '(b) Redis sink  '}  ${Math.round(t.perSecond)} events/s  (${t.seconds.toFixed(2)} s; CPU: this process ${t.nodeCpu.toFixed(2)} s${detail})`,
        );
      },
    );

    // (c) the store's own ceilings
    const sample = input.sample;
    const ceilings = await measureRedisCeiling(Number(new URL(redisUrl).port || 6379), {
      requests: 500_000,
      pipeline: 100,
      scripts: new LuaScripts(),
      orderValues: sample ? orderHashValues(sample) : [],
    });

    const rawPerSecond = median(rounds.raw.map((r) => r.perSecond));
    const sinkPerSecond = median(rounds.sink.map((r) => r.perSecond));
    const sinkCpu = round1(median(rounds.sink.map((r) => (r.nodeCpu * 1e6) / r.records)));
    const rawCpu = round1(median(rounds.raw.map((r) => (r.nodeCpu * 1e6) / r.records)));
    const redisCpu = round1(median(rounds.sink.map((r) => (r.redisCpu * 1e6) / r.records)));
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
    const met = sinkPerSecond / rawPerSecond >= TARGET_RATIO;
    const result = {
      redis: `${redisVersion}, ${server ? 'private redis-server (appendonly yes, appendfsync everysec), same machine' : `given (${options.redisUrl})`}`,
      input: { topic: TOPIC.orderState, records: input.records, orders: distinctOrders, averageBytes: input.averageBytes },
      settings: { batching: settings.batching, fetch: 'DEFAULT_SINK_FETCH' },
      rawClient: {
        eventsPerSecond: Math.round(rawPerSecond),
        cpuMicrosecondsPerEvent: rawCpu,
        rounds: rounds.raw.map((r) => ({ seconds: round1(r.seconds), eventsPerSecond: Math.round(r.perSecond), processCpuSeconds: round1(r.nodeCpu) })),
      },
      redisSink: {
        eventsPerSecond: Math.round(sinkPerSecond),
        cpuMicrosecondsPerEvent: sinkCpu,
        redisCpuMicrosecondsPerEvent: redisCpu,
        rounds: rounds.sink.map((r) => ({
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
        sinkToRawClient: ratio(sinkPerSecond, rawPerSecond),
        // what the ratio would be if both were bound by this process's CPU alone: steadier than wall time on a busy machine
        cpuBoundSinkToRawClient: ratio(rawCpu, sinkCpu),
        ...Object.fromEntries(ceilings.map((c) => [`sinkTo ${c.test}`, ratio(sinkPerSecond, c.requestsPerSecond)])),
      },
      target: { sinkToRawClient: TARGET_RATIO, met },
    };
    const rows = [
      ['Redis: (a) raw consumer, orders.state', String(result.rawClient.eventsPerSecond), '1.00', `${rawCpu} µs CPU/event`],
      [
        'Redis: (b) Redis sink',
        String(result.redisSink.eventsPerSecond),
        (sinkPerSecond / rawPerSecond).toFixed(2),
        `${sinkCpu} µs CPU/event (+ Redis ${redisCpu}), CPU-bound ratio ${(rawCpu / sinkCpu).toFixed(2)}; target ≥ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'}`,
      ],
      ...ceilings.map((c) => [
        `Redis: (c) redis-benchmark ${c.test}`,
        String(Math.round(c.requestsPerSecond)),
        (c.requestsPerSecond / rawPerSecond).toFixed(2),
        'requests/s',
      ]),
    ];
    context.progress(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const target = {
      name: 'Redis sink vs raw consumption of its input',
      measured: String(ratio(sinkPerSecond, rawPerSecond)),
      target: `≥ ${TARGET_RATIO}`,
      met,
    };
    return { result, rows, target };
  } finally {
    await deleteBenchTopics(kafka, prefix, [TOPIC.orderState]).catch(() => undefined);
    if (server) {
      redis.disconnect();
      await server.close();
    } else {
      for (let round = 0; round < context.rounds; round++) {
        const keys = await redis.keys(`${keyPrefix(round)}*`);
        for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
      }
      redis.disconnect();
    }
  }
}
