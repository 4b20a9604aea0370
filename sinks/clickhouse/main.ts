/**
 * The ClickHouse sink service: order and payment events, order states and
 * fraud alerts into the analytics tables (migrations/), for SQL.
 *   npx tsx sinks/clickhouse/main.ts      (proposed: npm run sink:clickhouse)
 */
import { startSinkService } from '../runtime/sink-service';
import { CLICKHOUSE_SINK_BATCH } from './batching';
import { ClickHouseSinkWriter } from './clickhouse-writer';
import type { ClickHouseSinkValue } from './rows';

startSinkService<ClickHouseSinkValue>({
  service: 'clickhouse-sink',
  defaultHttpPort: 19402,
  inputs: (topics) => [topics.orderEvents, topics.paymentEvents, topics.orderState, topics.fraudAlerts],
  createWriter: (config) => new ClickHouseSinkWriter({ clickhouse: config.clickhouse }),
  defaults: { batching: CLICKHOUSE_SINK_BATCH },
});
