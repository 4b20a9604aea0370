/**
 * One measured run of a sink: the sink engine with a writer, in this
 * process, over a fresh consumer group, timed from the group join to the
 * commit that covers every input record (so group coordination does not
 * count, and every record is written and committed when the clock stops).
 */
import type { TaggedValue } from '../../lib/serde';
import { SinkEngine, SinkEngineOptions } from '../runtime/sink-engine';
import type { SinkMetrics } from '../runtime/sink-metrics';
import type { ConsumeTiming } from '../../lib/bench/raw-consume';

/** The engine's own options (name: a consumer group unique per run), without the hooks the timing needs. */
export interface TimedSinkOptions<V extends TaggedValue> extends Pick<
  SinkEngineOptions<V>,
  'kafka' | 'name' | 'topics' | 'topicPrefix' | 'codec' | 'writer' | 'logger' | 'settings'
> {
  /** Records on the topics: the run ends when the group committed this many. */
  readonly expected: number;
}

export interface SinkTiming extends ConsumeTiming {
  /** Summed durations of write() calls (they overlap when several are in flight). */
  readonly writeSeconds: number;
  /** The engine's metrics (the writer's included), readable after the run. */
  readonly metrics: SinkMetrics;
}

/** A metric's value (the sum of its label sets, or of the `_sum` series of a histogram). */
export async function metricValue(metrics: SinkMetrics, name: string, series = name): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => (v as { metricName?: string }).metricName === undefined || (v as { metricName?: string }).metricName === series)
    .reduce((sum, v) => sum + v.value, 0);
}

export async function runTimedSink<V extends TaggedValue>(options: TimedSinkOptions<V>): Promise<SinkTiming> {
  let joinedAt = 0;
  let cpuAtJoin = process.cpuUsage();
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const positions = new Map<string, number>();
  let committed = 0;
  const { expected, ...engineOptions } = options;
  const engine = new SinkEngine<V>({
    ...engineOptions,
    hooks: {
      joined: () => {
        if (joinedAt !== 0) return;
        joinedAt = performance.now();
        cpuAtJoin = process.cpuUsage();
      },
      committed: (offsets) => {
        for (const { topic, partition, offset } of offsets) positions.set(`${topic}\u0000${partition}`, Number(offset));
        committed = [...positions.values()].reduce((a, b) => a + b, 0);
        if (committed >= expected) finished();
      },
    },
  });
  await engine.start();
  await done;
  const seconds = (performance.now() - joinedAt) / 1000;
  const cpu = process.cpuUsage(cpuAtJoin);
  await engine.stop();
  return {
    records: committed,
    seconds,
    perSecond: committed / seconds,
    nodeCpu: (cpu.user + cpu.system) / 1e6,
    writeSeconds: await metricValue(engine.metrics, 'sink_write_seconds', 'sink_write_seconds_sum'),
    metrics: engine.metrics,
  };
}
