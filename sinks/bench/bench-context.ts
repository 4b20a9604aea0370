/** What sinks-bench.ts hands each sink's benchmark: shared clients, sizes, and where progress goes. */
import type { BenchTarget } from '../../lib/bench/bench-target';
import type { RawFetchSettings } from '../../lib/bench/raw-consume';
import type { AppConfig, KafkaConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { RecordCodec } from '../../lib/streaming/codec';
import { DEFAULT_SINK_FETCH } from '../runtime/sink-engine';

export interface SinkBenchContext {
  readonly config: AppConfig;
  readonly kafka: KafkaConfig;
  readonly logger: Logger;
  /** The registry-backed Avro codec for topics under `prefix`. */
  codec(prefix: string): RecordCodec;
  /** Records on each sink's input. */
  readonly records: number;
  /** Measured rounds of raw consumption and of the sink, alternating which goes first. */
  readonly rounds: number;
  /** Unique to this run: topic prefixes, groups, key prefixes and databases start with it. */
  readonly runId: string;
  /** One line of progress for people (silent with --json). */
  progress(line: string): void;
}

/** A sink benchmark's result: the JSON section and its rows of the summary table. */
export interface SinkBenchResult<R> {
  readonly result: R;
  /** [what, events/s, vs raw consumption, note] */
  readonly rows: string[][];
  /** The target, sink events/s ÷ raw consumption events/s, for the summary of `npm run bench`. */
  readonly target: BenchTarget;
}

export const TARGET_RATIO = 0.7;

/** The raw baseline reads with the sink engine's fetch settings, so only the sink's own work differs. */
export const SINK_FETCH: RawFetchSettings = {
  maxWaitMs: DEFAULT_SINK_FETCH.maxWaitTimeInMs,
  maxBytesPerPartition: DEFAULT_SINK_FETCH.maxBytesPerPartition,
  maxBytes: DEFAULT_SINK_FETCH.maxBytes,
};
