/**
 * The two places an order's past can be read from, each folded the same way
 * (order-timeline.ts): the log itself, and the ClickHouse events table the
 * ClickHouse sink fills from it (orderHistory, up to the instant).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { toAggregateEvent } from '../../sinks/clickhouse/order-history';
import { orderHistory, runQuery } from '../../sinks/clickhouse/queries';
import { orderAtTime } from './order-timeline';
import { OrderLogRead, readOrderLog } from './read-order-log';
import type { SourceAnswer } from './state-at-report';

export async function kafkaAnswer(read: OrderLogRead, at: Date): Promise<SourceAnswer> {
  const log = await readOrderLog(read);
  const ranges = log.reads.map(
    (r) => `${r.topic}[${r.partition}] ${r.boundedAt === undefined ? 'to the end' : `up to offset ${r.boundedAt}`} (${r.scanned} records scanned)`,
  );
  const skipped = log.skipped > 0 ? `; ${log.skipped} record(s) of the order skipped as the aggregator dead-letters them` : '';
  return { source: 'kafka', readFrom: `${ranges.join(', ')}${skipped}`, ...orderAtTime(log.events, at) };
}

export async function clickHouseAnswer(client: ClickHouseClient, database: string, orderId: string, at: Date): Promise<SourceAnswer> {
  const history = await runQuery(client, orderHistory(database, orderId, { upTo: at }));
  const events = history.map((row) => ({ event: toAggregateEvent(row), source: { topic: row.topic } }));
  return { source: 'clickhouse', readFrom: `${database}.events FINAL`, ...orderAtTime(events, at) };
}
