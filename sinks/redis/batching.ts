/**
 * The Redis sink's batch defaults (SINK_BATCH_MAX_RECORDS and
 * SINK_BATCH_MAX_DELAY_MS override them). Under load, bigger batches fold
 * more states of one order into one script call and amortize each call
 * (the benchmark gains about a third from 2,000 to 5,000); when traffic is
 * light, the 50 ms linger is what bounds how stale a lookup can be.
 */
import type { BatchingSettings } from '../runtime/sink-settings';

export const REDIS_SINK_BATCH: BatchingSettings = { maxRecords: 5_000, maxDelayMs: 50 };
