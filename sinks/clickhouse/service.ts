/**
 * The ClickHouse sink as a service: order and payment events, order states
 * and fraud alerts into the analytics tables (migrations/), for SQL.
 */
import type { SinkService } from '../runtime/sink-service';
import { ClickHouseSinkWriter } from './clickhouse-writer';
import type { ClickHouseSinkValue } from './rows';

export const clickhouseSinkService: SinkService<ClickHouseSinkValue> = {
  service: 'clickhouse-sink',
  defaultHttpPort: 19402,
  inputs: (topics) => [topics.orderEvents, topics.paymentEvents, topics.orderState, topics.fraudAlerts],
  createWriter: (config) => new ClickHouseSinkWriter({ clickhouse: config.clickhouse }),
  // ClickHouse wants few, big inserts (each insert is a part to merge):
  // thousands of rows, about one insert per table per second under load
  defaults: { batching: { maxRecords: 20_000, maxDelayMs: 1_000 } },
};
