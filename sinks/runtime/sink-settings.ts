/**
 * The sink engine's tuning, from SINK_* environment variables, validated
 * like lib/config (every bad variable named at once). Each sink passes its
 * own defaults (ClickHouse wants big, slow batches; Redis small, fast ones);
 * the environment overrides them.
 *
 * These belong in lib/config (AppConfig.sink) once the lead merges them;
 * until then they are read here, with the same EnvReader.
 */
import { Env, EnvReader } from '../../lib/config/env';
import { BackoffPolicy, DEFAULT_BACKOFF } from '../../lib/retry/backoff';

export interface BatchingSettings {
  /** Write as soon as this many records are pending. */
  readonly maxRecords: number;
  /** …or when the oldest pending record has waited this long. */
  readonly maxDelayMs: number;
}

export interface SinkSettings {
  readonly batching: BatchingSettings;
  readonly backoff: BackoffPolicy;
  /** A write() that has not settled after this long counts as failed and is retried. */
  readonly writeTimeoutMs: number;
  /** On SIGTERM, how long to keep retrying the last batch before leaving it uncommitted. */
  readonly stopTimeoutMs: number;
  readonly sessionTimeoutMs: number;
}

export const DEFAULT_SINK_SETTINGS: SinkSettings = {
  batching: { maxRecords: 5_000, maxDelayMs: 100 },
  backoff: DEFAULT_BACKOFF,
  writeTimeoutMs: 30_000,
  stopTimeoutMs: 15_000,
  sessionTimeoutMs: 30_000,
};

/** Per-sink defaults, each field optional. */
export interface SinkSettingsDefaults {
  readonly batching?: Partial<BatchingSettings>;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly writeTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
  readonly sessionTimeoutMs?: number;
}

export function mergeSinkSettings(defaults: SinkSettingsDefaults = {}): SinkSettings {
  const base = DEFAULT_SINK_SETTINGS;
  return {
    batching: { ...base.batching, ...defaults.batching },
    backoff: { ...base.backoff, ...defaults.backoff },
    writeTimeoutMs: defaults.writeTimeoutMs ?? base.writeTimeoutMs,
    stopTimeoutMs: defaults.stopTimeoutMs ?? base.stopTimeoutMs,
    sessionTimeoutMs: defaults.sessionTimeoutMs ?? base.sessionTimeoutMs,
  };
}

/** Reads SINK_* over the sink's defaults; throws ConfigError naming every bad variable. */
export function readSinkSettings(defaults: SinkSettingsDefaults = {}, env: Env = process.env): SinkSettings {
  const fallback = mergeSinkSettings(defaults);
  const read = new EnvReader(env);
  const settings: SinkSettings = {
    batching: {
      maxRecords: read.int('SINK_BATCH_MAX_RECORDS', fallback.batching.maxRecords, 1, 1_000_000),
      maxDelayMs: read.int('SINK_BATCH_MAX_DELAY_MS', fallback.batching.maxDelayMs, 0, 600_000),
    },
    backoff: {
      ...fallback.backoff,
      initialMs: read.int('SINK_RETRY_INITIAL_MS', fallback.backoff.initialMs, 1, 600_000),
      maxMs: read.int('SINK_RETRY_MAX_MS', fallback.backoff.maxMs, 1, 3_600_000),
    },
    writeTimeoutMs: read.int('SINK_WRITE_TIMEOUT_MS', fallback.writeTimeoutMs, 100, 3_600_000),
    stopTimeoutMs: read.int('SINK_STOP_TIMEOUT_MS', fallback.stopTimeoutMs, 0, 3_600_000),
    sessionTimeoutMs: read.int('SINK_SESSION_TIMEOUT_MS', fallback.sessionTimeoutMs, 6_000, 300_000),
  };
  if (settings.backoff.maxMs < settings.backoff.initialMs) {
    read.problem(`SINK_RETRY_MAX_MS (${settings.backoff.maxMs}) must be at least SINK_RETRY_INITIAL_MS (${settings.backoff.initialMs})`);
  }
  read.done();
  return settings;
}
