/**
 * The ClickHouse sink's batch defaults (SINK_BATCH_MAX_RECORDS and
 * SINK_BATCH_MAX_DELAY_MS override them). ClickHouse wants few, big inserts
 * (each insert is a part to merge): thousands of rows, about one insert per
 * table per second under load.
 */
import type { BatchingSettings } from '../runtime/sink-settings';

export const CLICKHOUSE_SINK_BATCH: BatchingSettings = { maxRecords: 20_000, maxDelayMs: 1_000 };
