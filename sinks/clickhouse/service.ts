/**
 * The ClickHouse sink as a service: order and payment events, order states
 * and fraud alerts into the analytics tables (migrations/), for SQL.
 */
import type { SinkService } from '../runtime/sink-service';
import { CLICKHOUSE_SINK_BATCH } from './batching';
import { ClickHouseSinkWriter } from './clickhouse-writer';
import type { ClickHouseSinkValue } from './rows';

export const clickhouseSinkService: SinkService<ClickHouseSinkValue> = {
  service: 'clickhouse-sink',
  defaultHttpPort: 19402,
  inputs: (topics) => [topics.orderEvents, topics.paymentEvents, topics.orderState, topics.fraudAlerts],
  createWriter: (config) => new ClickHouseSinkWriter({ clickhouse: config.clickhouse }),
  defaults: { batching: CLICKHOUSE_SINK_BATCH },
};
