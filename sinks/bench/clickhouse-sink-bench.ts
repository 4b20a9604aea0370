/**
 * The ClickHouse half of `npm run bench:sinks`: events/s of the ClickHouse
 * sink beside what bounds it, all measured in one run.
 *
 *   (a) raw consumption (lib/bench/raw-consume.ts) of the input topics (orders.events,
 *       payments.events and orders.state of generated orders: N records
 *       in all), same fetch settings, no decoding, no commits;
 *   (b) the ClickHouse sink (sink engine + ClickHouse writer, in this
 *       process) consuming the same topics into its analytics tables:
 *       decode, map to rows, one JSONEachRow insert per table per batch,
 *       commit;
 *   (c) the same rows inserted with @clickhouse/client directly, batch by
 *       batch of the sink's size (clickhouse-ceiling.ts).
 *
 * (a) and (b) alternate over the rounds; every sink round and every (c)
 * writes a database of its own (migrated before the clock starts, as the
 * sink does at start-up), all dropped at the end. Medians are reported.
 * Target: (b) ≥ 70% of (a).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { TOPIC } from '../../lib/topics';
import type { RecordCodec } from '../../lib/streaming/codec';
import { CLICKHOUSE_SINK_BATCH } from '../clickhouse/batching';
import { ClickHouseSinkWriter } from '../clickhouse/clickhouse-writer';
import { migrate } from '../clickhouse/migrate';
import type { ClickHouseSinkValue, ConsumedRecord } from '../clickhouse/rows';
import { intColumn, selectRows } from '../clickhouse/result-values';
import { mergeSinkSettings } from '../runtime/sink-settings';
import { alternatingRounds } from './alternating-rounds';
import { createBenchTopics, deleteBenchTopics, ProducedInput, produceInput } from './bench-input';
import { SINK_FETCH, SinkBenchContext, SinkBenchResult, TARGET_RATIO } from './bench-context';
import { median, ratio, round1 } from './bench-stats';
import { batchRows, InsertTiming, measureInsertCeiling } from './clickhouse-ceiling';
import { firstOf, orderStream, TopicRecord } from './derived-records';
import { rawConsume } from '../../lib/bench/raw-consume';
import { runTimedSink } from './timed-sink';

const INPUT_TOPICS = [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.orderState];

export interface ClickHouseBenchOptions {
  /** Sink batch size (SINK_BATCH_MAX_RECORDS); default the ClickHouse sink's. */
  readonly batch?: number;
}

/** The first `count` records of generated orders' events and states. */
function streamRecords(count: number): TopicRecord[] {
  return firstOf(count, 12, (orders) => orderStream({ seed: 7, orders }));
}

/**
 * Generates and produces the input, keeping only counts: the records would
 * sit in the heap during the rounds and slow down every garbage collection
 * of the sink.
 */
async function produceStream(context: SinkBenchContext, codec: RecordCodec, prefix: string): Promise<ProducedInput & { events: number }> {
  const records = streamRecords(context.records);
  return { ...(await produceInput(context.kafka, codec, prefix, records)), events: records.filter((r) => r.topic !== TOPIC.orderState).length };
}

async function uniqueEvents(client: ClickHouseClient, database: string): Promise<number> {
  const [row] = await selectRows(client, `SELECT uniqExact(event_id) AS events FROM ${database}.events`);
  return intColumn(row ?? {}, 'events', `${database}.events`);
}

export async function benchClickHouseSink(context: SinkBenchContext, options: ClickHouseBenchOptions = {}): Promise<SinkBenchResult<Record<string, unknown>>> {
  const { kafka, logger, config } = context;
  const prefix = `${context.runId}-ch.`;
  const topics = INPUT_TOPICS.map((topic) => `${prefix}${topic}`);
  const client = createClickHouse(config.clickhouse, 'default');
  const databases: string[] = [];
  const newDatabase = (name: string) => {
    const database = `${context.runId}_${name}`.replace(/[^A-Za-z0-9_]/g, '_');
    databases.push(database);
    return database;
  };
  try {
    await createBenchTopics(kafka, prefix, INPUT_TOPICS, logger);
    const codec = context.codec(prefix);
    const input = await produceStream(context, codec, prefix);
    const events = input.events;
    context.progress(
      `ClickHouse sink input: ${input.records} records (${events} order and payment events, ${input.records - events} order states), ${input.averageBytes} bytes on average, produced in ${input.seconds.toFixed(1)} s`,
    );

    const settings = mergeSinkSettings({ batching: { ...CLICKHOUSE_SINK_BATCH, ...(options.batch !== undefined ? { maxRecords: options.batch } : {}) } });
    const runSink = async (round: number) => {
      const database = newDatabase(`sink_${round}`);
      const timing = await runTimedSink<ClickHouseSinkValue>({
        kafka,
        name: `${prefix}clickhouse-sink-${round}`,
        topics,
        topicPrefix: prefix,
        codec,
        writer: new ClickHouseSinkWriter({ clickhouse: config.clickhouse, database }),
        logger,
        settings,
        expected: input.records,
      });
      const stored = await uniqueEvents(client, database);
      if (stored !== events)
        throw new Error(
          `ClickHouse sink round ${round + 1}: ${database}.events holds ${stored} distinct events, expected ${events}: the sink lost or invented events`,
        );
      return timing;
    };
    const rounds = await alternatingRounds(
      context.rounds,
      () => rawConsume(kafka, topics, input.records, logger, SINK_FETCH),
      runSink,
      (round, which, t) => {
        context.progress(
          `round ${round + 1}: ${which === 'raw' ? '(a) raw consumer   ' : '(b) ClickHouse sink'}  ${Math.round(t.perSecond)} events/s  (${t.seconds.toFixed(2)} s; CPU: this process ${t.nodeCpu.toFixed(2)} s)`,
        );
      },
    );

    // (c) the same rows, inserted directly (the generator is deterministic: the same records again)
    const consumed: ConsumedRecord[] = streamRecords(context.records).map((r, i) => ({
      topic: `${prefix}${r.topic}`,
      partition: 0,
      offset: String(i),
      value: r.value,
    }));
    const batches = batchRows(consumed, settings.batching.maxRecords);
    const ceilings: InsertTiming[] = [];
    for (let round = 0; round < context.rounds; round++) {
      const database = newDatabase(`insert_${round}`);
      await migrate(client, database);
      const timing = await measureInsertCeiling(client, database, batches, input.records);
      ceilings.push(timing);
      context.progress(
        `round ${round + 1}: (c) raw insert       ${Math.round(timing.perSecond)} events/s  (${timing.seconds.toFixed(2)} s, ${timing.rows} rows)`,
      );
    }

    const rawPerSecond = median(rounds.raw.map((r) => r.perSecond));
    const sinkPerSecond = median(rounds.sink.map((r) => r.perSecond));
    const insertPerSecond = median(ceilings.map((c) => c.perSecond));
    const sinkCpu = round1(median(rounds.sink.map((r) => (r.nodeCpu * 1e6) / r.records)));
    const rawCpu = round1(median(rounds.raw.map((r) => (r.nodeCpu * 1e6) / r.records)));
    const [version] = await selectRows(client, 'SELECT version() AS version');
    const met = sinkPerSecond / rawPerSecond >= TARGET_RATIO;
    const result = {
      clickhouse: `${String(version?.['version'] ?? 'unknown')} at ${config.clickhouse.url} (shared with other work on this machine)`,
      input: { topics: INPUT_TOPICS, records: input.records, events, orderStates: input.records - events, averageBytes: input.averageBytes },
      settings: { batching: settings.batching, fetch: 'DEFAULT_SINK_FETCH' },
      rawClient: {
        eventsPerSecond: Math.round(rawPerSecond),
        cpuMicrosecondsPerEvent: rawCpu,
        rounds: rounds.raw.map((r) => ({ seconds: round1(r.seconds), eventsPerSecond: Math.round(r.perSecond), processCpuSeconds: round1(r.nodeCpu) })),
      },
      clickhouseSink: {
        eventsPerSecond: Math.round(sinkPerSecond),
        cpuMicrosecondsPerEvent: sinkCpu,
        rounds: rounds.sink.map((r) => ({
          seconds: round1(r.seconds),
          eventsPerSecond: Math.round(r.perSecond),
          sinkProcessCpuSeconds: round1(r.nodeCpu),
          // summed durations of write() calls: mapping and every insert
          writeSeconds: round1(r.writeSeconds),
        })),
      },
      rawInsert: {
        eventsPerSecond: Math.round(insertPerSecond),
        rowsPerBatchOfRecords: settings.batching.maxRecords,
        rounds: ceilings.map((c) => ({ seconds: round1(c.seconds), eventsPerSecond: Math.round(c.perSecond), rows: c.rows })),
      },
      ratios: {
        sinkToRawClient: ratio(sinkPerSecond, rawPerSecond),
        // what the ratio would be if both were bound by this process's CPU alone: steadier than wall time on a busy machine
        cpuBoundSinkToRawClient: ratio(rawCpu, sinkCpu),
        sinkToRawInsert: ratio(sinkPerSecond, insertPerSecond),
      },
      target: { sinkToRawClient: TARGET_RATIO, met },
    };
    const rows = [
      ['ClickHouse: (a) raw consumer, events + states', String(result.rawClient.eventsPerSecond), '1.00', `${rawCpu} µs CPU/event`],
      [
        'ClickHouse: (b) ClickHouse sink',
        String(result.clickhouseSink.eventsPerSecond),
        (sinkPerSecond / rawPerSecond).toFixed(2),
        `${sinkCpu} µs CPU/event, CPU-bound ratio ${(rawCpu / sinkCpu).toFixed(2)}; target ≥ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'}`,
      ],
      [
        'ClickHouse: (c) raw JSONEachRow insert',
        String(result.rawInsert.eventsPerSecond),
        (insertPerSecond / rawPerSecond).toFixed(2),
        `sink at ${(sinkPerSecond / insertPerSecond).toFixed(2)} of it`,
      ],
    ];
    const target = {
      name: 'ClickHouse sink vs raw consumption of its input',
      measured: String(ratio(sinkPerSecond, rawPerSecond)),
      target: `≥ ${TARGET_RATIO}`,
      met,
    };
    return { result, rows, target };
  } finally {
    await deleteBenchTopics(kafka, prefix, INPUT_TOPICS).catch(() => undefined);
    for (const database of databases) await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await client.close();
  }
}
