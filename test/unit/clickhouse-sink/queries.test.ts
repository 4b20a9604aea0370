import { TOPIC } from '../../../lib/topics';
import { toAggregateEvent } from '../../../sinks/clickhouse/order-history';
import {
  customerOrderStats,
  customersWithMostAlerts,
  dailySkuSales,
  orderAsOf,
  orderFunnel,
  orderHistory,
  ordersByStatus,
  revenuePerDay,
  topSkus,
} from '../../../sinks/clickhouse/queries';
import { rowsForRecord } from '../../../sinks/clickhouse/rows';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const T = new Date('2024-05-01T12:00:00.250Z');

describe('the documented queries', () => {
  const replacing = [
    revenuePerDay('db'),
    dailySkuSales('db'),
    topSkus('db'),
    ordersByStatus('db'),
    orderFunnel('db'),
    customersWithMostAlerts('db'),
    orderAsOf('db', 'o-1', T),
    orderHistory('db', 'o-1'),
  ];

  test.each(replacing.map((q) => [q.name, q] as const))('%s reads its replacing table with FINAL and never PREWHERE', (_, query) => {
    expect(query.sql).toMatch(/FROM db\.\w+ FINAL/);
    expect(query.sql).not.toMatch(/PREWHERE/i);
  });

  test('the aggregating rollup is read with -Merge grouped by its key', () => {
    const { sql } = customerOrderStats('db');
    expect(sql).toMatch(/uniqExactMerge\(orders\)/);
    expect(sql).toMatch(/GROUP BY customer_id/);
  });

  test('values are literals, escaped: a hostile order id stays a string', () => {
    const { sql } = orderHistory('db', "x' OR 1=1 --\\", { upTo: T });
    expect(sql).toContain("aggregate_id = 'x\\' OR 1=1 --\\\\'");
    expect(sql).toContain(`<= ${T.getTime()}`);
    expect(customerOrderStats('db', { customerId: "c'1" }).sql).toContain("customer_id = 'c\\'1'");
  });

  test('ranges, limits and the database are checked', () => {
    expect(revenuePerDay('db', { from: '2024-05-01', to: '2024-05-03' }).sql).toContain(
      "toDate(occurred_at) >= toDate('2024-05-01')\n  AND toDate(occurred_at) <= toDate('2024-05-03')",
    );
    expect(() => revenuePerDay('db', { from: "2024-05-01' OR 1" })).toThrow(/expected YYYY-MM-DD/);
    expect(() => topSkus('db', { limit: 0 })).toThrow(/limit must be a positive integer/);
    expect(() => ordersByStatus('db; DROP TABLE x')).toThrow(/not a plain SQL identifier/);
  });

  test('orderAsOf maps event types to statuses in SQL', () => {
    const { sql } = orderAsOf('db', 'o-1', T);
    expect(sql).toContain(
      "'OrderShipped', 'OrderDelivered', 'OrderCancelled'], ['PLACED', 'PLACED', 'PLACED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED'], '')",
    );
    expect(sql).toContain("['AUTHORIZED', 'DECLINED', 'CAPTURED', 'REFUNDED'], 'NONE')");
  });
});

describe('reading results', () => {
  test('64-bit integers read the same as strings (18.16) or numbers (current)', () => {
    const query = revenuePerDay('db');
    const fromOld = { day: '2024-05-01', currency: 'EUR', captured_cents: '900', refunded_cents: '100', net_cents: '800', captures: '2', refunds: '1' };
    const fromNew = { ...fromOld, captured_cents: 900, refunded_cents: 100, net_cents: 800, captures: 2, refunds: 1 };
    expect(query.parse(fromOld)).toEqual(query.parse(fromNew));
    expect(query.parse(fromOld)).toEqual({
      day: '2024-05-01',
      currency: 'EUR',
      capturedCents: 900,
      refundedCents: 100,
      netCents: 800,
      captures: 2,
      refunds: 1,
    });
  });

  test('a missing column or an unsafe integer is an error naming the query and column', () => {
    const query = ordersByStatus('db');
    expect(() => query.parse({ status: 'PLACED' })).toThrow(/orders-by-status: the result has no column orders/);
    expect(() => query.parse({ status: 'PLACED', orders: '18446744073709551615' })).toThrow(
      /column orders is "18446744073709551615", expected an integer within ±2\^53/,
    );
  });

  test('an order history row turns back into the event it was written from', () => {
    const event = { type: 'OrderPlaced' as const, value: SAMPLE_RECORDS.OrderPlaced };
    const row = rowsForRecord({ topic: TOPIC.orderEvents, partition: 0, offset: '1', value: event }).events[0]!;
    const history = orderHistory('db', 'order-1').parse({
      event_id: row.event_id,
      event_type: row.event_type,
      topic: row.topic,
      aggregate_version: row.aggregate_version,
      occurred_at_ms: '1714564800000',
      is_payment: 0,
      correlation_id: row.correlation_id,
      causation_id: row.causation_id,
      producer: row.producer,
      customer_id: row.customer_id,
      amount_cents: String(row.amount_cents),
      currency: row.currency,
      payload: row.payload,
    });
    expect(history.causationId).toBeNull();
    expect(history.occurredAt).toEqual(SAMPLE_RECORDS.OrderPlaced.envelope.occurredAt);
    expect(toAggregateEvent(history)).toEqual(event);
    expect(() => toAggregateEvent({ ...history, payload: '{"x":1}' })).toThrow(/payload has no envelope\.occurredAt/);
    expect(() => toAggregateEvent({ ...history, eventType: 'CustomerProfile' })).toThrow(/not an order or payment event type/);
  });
});
