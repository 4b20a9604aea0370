/**
 * What the ClickHouse integration tests share: writing a dataset through
 * the sink's writer in batches, and running every documented analytics
 * query, so one engine's answers can be compared with the TypeScript
 * expectations and with another engine's.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import {
  CustomerAlerts,
  CustomerOrderStats,
  HistoryEvent,
  OrderAsOf,
  OrderFunnel,
  RevenueDay,
  SkuSalesDay,
  StatusCount,
  TopSku,
  customerOrderStats,
  customersWithMostAlerts,
  dailySkuSales,
  orderAsOf,
  orderFunnel,
  orderHistory,
  ordersByStatus,
  revenuePerDay,
  runQuery,
  topSkus,
} from '../../../sinks/clickhouse/queries';
import type { ConsumedRecord } from '../../../sinks/clickhouse/rows';
import { WriteRecordsResult, writeRecords } from '../../../sinks/clickhouse/write-records';
import type { ClickHouseDataset } from '../../fixtures/clickhouse-dataset';

export const TOP_LIMIT = 15;

/** Writes records in batches the size a sink would flush; returns the rejected ones (none expected). */
export async function writeInBatches(
  client: ClickHouseClient,
  database: string,
  records: readonly ConsumedRecord[],
  batchSize: number,
): Promise<WriteRecordsResult<ConsumedRecord>['rejected']> {
  const rejected: Array<WriteRecordsResult<ConsumedRecord>['rejected'][number]> = [];
  for (let start = 0; start < records.length; start += batchSize) {
    const result = await writeRecords(client, database, records.slice(start, start + batchSize));
    rejected.push(...result.rejected);
  }
  return rejected;
}

/** An order and instants to ask about it: before its first event, at each event (inclusive bound), and 1 ms before each. */
export interface OrderProbe {
  readonly orderId: string;
  readonly instants: readonly Date[];
}

/** Orders with the longest histories (ties: by id), so probes cover item changes, payments and refunds. */
export function orderProbes(dataset: ClickHouseDataset, count: number): OrderProbe[] {
  const times = new Map<string, number[]>();
  for (const event of dataset.events) {
    const { aggregateId, occurredAt } = event.value.envelope;
    times.set(aggregateId, [...(times.get(aggregateId) ?? []), occurredAt.getTime()]);
  }
  return [...times]
    .sort(([a, ta], [b, tb]) => tb.length - ta.length || (a < b ? -1 : 1))
    .slice(0, count)
    .map(([orderId, list]) => {
      const instants = new Set<number>([Math.min(...list) - 1]);
      for (const t of list) {
        instants.add(t);
        instants.add(t - 1);
      }
      return { orderId, instants: [...instants].sort((x, y) => x - y).map((t) => new Date(t)) };
    });
}

export interface AnalyticsResults {
  readonly revenuePerDay: RevenueDay[];
  readonly revenueFirstDay: RevenueDay[];
  readonly dailySkuSales: SkuSalesDay[];
  readonly topSkus: TopSku[];
  readonly ordersByStatus: StatusCount[];
  readonly orderFunnel: OrderFunnel[];
  readonly customersWithMostAlerts: CustomerAlerts[];
  readonly customerOrderStats: CustomerOrderStats[];
  /** Per probe, per instant: the orderAsOf row, or null when the query returned none. */
  readonly ordersAsOf: Array<{ orderId: string; at: string; row: OrderAsOf | null }>;
  readonly histories: Array<{ orderId: string; events: HistoryEvent[] }>;
}

/** Every documented query against `database`, the first day of revenue standing in for a ranged query. */
export async function runDocumentedQueries(
  client: ClickHouseClient,
  database: string,
  probes: readonly OrderProbe[],
  firstDay: string,
): Promise<AnalyticsResults> {
  const ordersAsOf: AnalyticsResults['ordersAsOf'] = [];
  const histories: AnalyticsResults['histories'] = [];
  for (const probe of probes) {
    for (const at of probe.instants) {
      const rows = await runQuery(client, orderAsOf(database, probe.orderId, at));
      ordersAsOf.push({ orderId: probe.orderId, at: at.toISOString(), row: rows[0] ?? null });
    }
    histories.push({ orderId: probe.orderId, events: await runQuery(client, orderHistory(database, probe.orderId)) });
  }
  return {
    revenuePerDay: await runQuery(client, revenuePerDay(database)),
    revenueFirstDay: await runQuery(client, revenuePerDay(database, { from: firstDay, to: firstDay })),
    dailySkuSales: await runQuery(client, dailySkuSales(database)),
    topSkus: await runQuery(client, topSkus(database, { limit: TOP_LIMIT })),
    ordersByStatus: await runQuery(client, ordersByStatus(database)),
    orderFunnel: await runQuery(client, orderFunnel(database)),
    customersWithMostAlerts: await runQuery(client, customersWithMostAlerts(database, { limit: TOP_LIMIT })),
    customerOrderStats: await runQuery(client, customerOrderStats(database, { limit: TOP_LIMIT })),
    ordersAsOf,
    histories,
  };
}
