/**
 * The documented analytics queries (README, "Analytics queries"), as named
 * SQL builders. Values reach the SQL only through sql-literals.ts.
 *
 * Replay safety is built into each query, by one rule per table kind:
 * - Replacing tables (events, payments, order_state, fraud_alerts,
 *   sku_daily_sales) are read with FINAL, so rows repeated by a replay or a
 *   redelivery, or older versions of an order, count once, merged or not.
 *   Filters go in WHERE, never PREWHERE (which would filter before FINAL
 *   deduplicates).
 * - The aggregating table (customer_order_stats) is read with -Merge
 *   combinators grouped by its key; its states are idempotent.
 * Queries sort fully (ties broken by key), so results compare exactly.
 *
 * Times: a `day` is a UTC date 'YYYY-MM-DD'; instants are Dates built from
 * exact epoch millis (toUInt64(x_at) * 1000 + x_ms).
 */
import type { OrderStatus, PaymentStatus } from '../../schemas/generated/types';
import type { AnalyticsQuery } from './analytics-query';
import { ORDER_EVENT_TYPES, ORDER_STATUS_AFTER, PAYMENT_EVENT_TYPES, PAYMENT_STATUS_AFTER } from './event-types';
import { RawRow, intColumn, stringArrayColumn, stringColumn } from './result-values';
import { sqlDate, sqlIdentifier, sqlInt, sqlString, sqlStringList } from './sql-literals';

export type { AnalyticsQuery } from './analytics-query';
export { runQuery } from './analytics-query';

/** Inclusive UTC days, 'YYYY-MM-DD'; either end may be left open. */
export interface DayRange {
  readonly from?: string;
  readonly to?: string;
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `\nWHERE ${conditions.join('\n  AND ')}`;
}

function dayConditions(dayExpression: string, range: DayRange): string[] {
  const conditions: string[] = [];
  if (range.from !== undefined) conditions.push(`${dayExpression} >= ${sqlDate(range.from)}`);
  if (range.to !== undefined) conditions.push(`${dayExpression} <= ${sqlDate(range.to)}`);
  return conditions;
}

function limitOf(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return sqlInt(limit);
}

// ---------------------------------------------------------------- revenue

export interface RevenueDay {
  readonly day: string;
  readonly currency: string;
  readonly capturedCents: number;
  readonly refundedCents: number;
  /** captured − refunded */
  readonly netCents: number;
  readonly captures: number;
  readonly refunds: number;
}

/** Revenue per UTC day and currency, cash basis: money captured minus money refunded that day (payments table). */
export function revenuePerDay(database: string, range: DayRange = {}): AnalyticsQuery<RevenueDay> {
  const db = sqlIdentifier(database);
  const name = 'revenue-per-day';
  return {
    name,
    sql: `SELECT
    toDate(occurred_at) AS day,
    currency,
    sumIf(amount_cents, event_type = 'PaymentCaptured') AS captured_cents,
    sumIf(amount_cents, event_type = 'RefundIssued') AS refunded_cents,
    captured_cents - refunded_cents AS net_cents,
    countIf(event_type = 'PaymentCaptured') AS captures,
    countIf(event_type = 'RefundIssued') AS refunds
FROM ${db}.payments FINAL${whereClause([`event_type IN ('PaymentCaptured', 'RefundIssued')`, ...dayConditions('toDate(occurred_at)', range)])}
GROUP BY day, currency
ORDER BY day, currency`,
    parse: (row: RawRow): RevenueDay => ({
      day: stringColumn(row, 'day', name),
      currency: stringColumn(row, 'currency', name),
      capturedCents: intColumn(row, 'captured_cents', name),
      refundedCents: intColumn(row, 'refunded_cents', name),
      netCents: intColumn(row, 'net_cents', name),
      captures: intColumn(row, 'captures', name),
      refunds: intColumn(row, 'refunds', name),
    }),
  };
}

// ---------------------------------------------------------------- SKU sales

export interface SkuSalesDay {
  readonly day: string;
  readonly sku: string;
  readonly currency: string;
  /** Delivered orders with this sku that day. */
  readonly orders: number;
  readonly units: number;
  /** Σ quantity × unit price, in cents of currency. */
  readonly salesCents: number;
}

/** Daily sales by SKU: lines of orders delivered that UTC day (the sku_daily_sales rollup). */
export function dailySkuSales(database: string, range: DayRange = {}): AnalyticsQuery<SkuSalesDay> {
  const db = sqlIdentifier(database);
  const name = 'daily-sku-sales';
  return {
    name,
    sql: `SELECT
    day,
    sku,
    currency,
    count() AS orders,
    sum(units) AS units_sold,
    sum(revenue_cents) AS sales_cents
FROM ${db}.sku_daily_sales FINAL${whereClause(dayConditions('day', range))}
GROUP BY day, sku, currency
ORDER BY day, sku, currency`,
    parse: (row: RawRow): SkuSalesDay => ({
      day: stringColumn(row, 'day', name),
      sku: stringColumn(row, 'sku', name),
      currency: stringColumn(row, 'currency', name),
      orders: intColumn(row, 'orders', name),
      units: intColumn(row, 'units_sold', name),
      salesCents: intColumn(row, 'sales_cents', name),
    }),
  };
}

export interface TopSku {
  readonly sku: string;
  readonly units: number;
  /** Delivered orders with this sku. */
  readonly orders: number;
}

/** The SKUs with the most units delivered in the range (units compare across currencies; money would not). Ties: by sku. */
export function topSkus(database: string, options: DayRange & { readonly limit?: number } = {}): AnalyticsQuery<TopSku> {
  const db = sqlIdentifier(database);
  const name = 'top-skus';
  return {
    name,
    sql: `SELECT
    sku,
    sum(units) AS units_sold,
    count() AS orders
FROM ${db}.sku_daily_sales FINAL${whereClause(dayConditions('day', options))}
GROUP BY sku
ORDER BY units_sold DESC, sku
LIMIT ${limitOf(options.limit ?? 10)}`,
    parse: (row: RawRow): TopSku => ({
      sku: stringColumn(row, 'sku', name),
      units: intColumn(row, 'units_sold', name),
      orders: intColumn(row, 'orders', name),
    }),
  };
}

// ---------------------------------------------------------------- order funnel

export interface StatusCount {
  readonly status: string;
  readonly orders: number;
}

/** Orders by current status (order_state, latest version of each order). */
export function ordersByStatus(database: string): AnalyticsQuery<StatusCount> {
  const db = sqlIdentifier(database);
  const name = 'orders-by-status';
  return {
    name,
    sql: `SELECT
    status,
    count() AS orders
FROM ${db}.order_state FINAL
GROUP BY status
ORDER BY status`,
    parse: (row: RawRow): StatusCount => ({ status: stringColumn(row, 'status', name), orders: intColumn(row, 'orders', name) }),
  };
}

export interface OrderFunnel {
  /** Every order (all were placed). */
  readonly placed: number;
  readonly confirmed: number;
  readonly shipped: number;
  readonly delivered: number;
  readonly cancelled: number;
}

/** How many orders reached each stage, whatever they did next (order_state: a stage is reached when its timestamp is set). */
export function orderFunnel(database: string): AnalyticsQuery<OrderFunnel> {
  const db = sqlIdentifier(database);
  const name = 'order-funnel';
  return {
    name,
    sql: `SELECT
    count() AS placed,
    countIf(isNotNull(confirmed_at)) AS confirmed,
    countIf(isNotNull(shipped_at)) AS shipped,
    countIf(isNotNull(delivered_at)) AS delivered,
    countIf(isNotNull(cancelled_at)) AS cancelled
FROM ${db}.order_state FINAL`,
    parse: (row: RawRow): OrderFunnel => ({
      placed: intColumn(row, 'placed', name),
      confirmed: intColumn(row, 'confirmed', name),
      shipped: intColumn(row, 'shipped', name),
      delivered: intColumn(row, 'delivered', name),
      cancelled: intColumn(row, 'cancelled', name),
    }),
  };
}

// ---------------------------------------------------------------- customers

export interface CustomerAlerts {
  readonly customerId: string;
  readonly alerts: number;
  /** Distinct rules that fired, sorted. */
  readonly rules: readonly string[];
  readonly lastDetectedAt: Date;
}

/** Customers with the most fraud alerts (each alert once, however often it was delivered). Ties: by customer id. */
export function customersWithMostAlerts(database: string, options: { readonly limit?: number } = {}): AnalyticsQuery<CustomerAlerts> {
  const db = sqlIdentifier(database);
  const name = 'customers-with-most-alerts';
  return {
    name,
    sql: `SELECT
    customer_id,
    count() AS alerts,
    arraySort(groupUniqArray(rule)) AS rules,
    max(toUInt64(detected_at) * 1000 + detected_ms) AS last_detected_ms
FROM ${db}.fraud_alerts FINAL
GROUP BY customer_id
ORDER BY alerts DESC, customer_id
LIMIT ${limitOf(options.limit ?? 10)}`,
    parse: (row: RawRow): CustomerAlerts => ({
      customerId: stringColumn(row, 'customer_id', name),
      alerts: intColumn(row, 'alerts', name),
      rules: stringArrayColumn(row, 'rules', name),
      lastDetectedAt: new Date(intColumn(row, 'last_detected_ms', name)),
    }),
  };
}

export interface CustomerOrderStats {
  readonly customerId: string;
  readonly orders: number;
  readonly cancelled: number;
  readonly delivered: number;
  /** placedAt of the first and last order, to the second. */
  readonly firstOrderAt: Date;
  readonly lastOrderAt: Date;
}

/** Per-customer order stats (the customer_order_stats rollup): one customer, or the customers with the most orders. */
export function customerOrderStats(
  database: string,
  options: { readonly customerId?: string; readonly limit?: number } = {},
): AnalyticsQuery<CustomerOrderStats> {
  const db = sqlIdentifier(database);
  const name = 'customer-order-stats';
  const conditions = options.customerId === undefined ? [] : [`customer_id = ${sqlString(options.customerId)}`];
  return {
    name,
    sql: `SELECT
    customer_id,
    uniqExactMerge(orders) AS order_count,
    uniqExactIfMerge(cancelled_orders) AS cancelled_count,
    uniqExactIfMerge(delivered_orders) AS delivered_count,
    toUInt32(minMerge(first_order_at)) AS first_order_s,
    toUInt32(maxMerge(last_order_at)) AS last_order_s
FROM ${db}.customer_order_stats${whereClause(conditions)}
GROUP BY customer_id
ORDER BY order_count DESC, customer_id
LIMIT ${limitOf(options.limit ?? 10)}`,
    parse: (row: RawRow): CustomerOrderStats => ({
      customerId: stringColumn(row, 'customer_id', name),
      orders: intColumn(row, 'order_count', name),
      cancelled: intColumn(row, 'cancelled_count', name),
      delivered: intColumn(row, 'delivered_count', name),
      firstOrderAt: new Date(intColumn(row, 'first_order_s', name) * 1000),
      lastOrderAt: new Date(intColumn(row, 'last_order_s', name) * 1000),
    }),
  };
}

// ---------------------------------------------------------------- one order in time

const OCCURRED_MS = 'toUInt64(occurred_at) * 1000 + occurred_ms';

function statusTransform(source: string, mapping: Readonly<Record<string, string>>, fallback: string): string {
  const from = Object.keys(mapping);
  const to = from.map((key) => mapping[key]!);
  return `transform(${source}, [${from.map(sqlString).join(', ')}], [${to.map(sqlString).join(', ')}], ${sqlString(fallback)})`;
}

export interface OrderAsOf {
  readonly orderId: string;
  /** Order status implied by the last order event (by version) at or before t; null when the order was not placed yet. */
  readonly status: OrderStatus | null;
  readonly lastOrderEvent: string | null;
  /** aggregateVersion of that event (0: none). */
  readonly version: number;
  readonly paymentStatus: PaymentStatus;
  readonly lastPaymentEvent: string | null;
  readonly paymentVersion: number;
  /** From OrderPlaced; empty before it. */
  readonly customerId: string;
  readonly currency: string;
  /** The total at placement; later item changes need the fold (orderHistory + foldOrder). */
  readonly placedTotalCents: number;
  readonly amountAuthorizedCents: number;
  readonly amountCapturedCents: number;
  readonly amountRefundedCents: number;
  /** Events of both topics at or before t. */
  readonly events: number;
  readonly lastEventAt: Date;
}

/**
 * An order as it stood at instant `at` (event time), from the events table
 * and without a fold: the status implied by the latest order event by
 * aggregate_version (argMax), the payment status by the latest payment
 * event, versions and amounts summed over the events up to `at`. This is
 * the fold's result for a valid history; the fold refuses invalid events
 * that this query would still count, and items after additions and
 * removals need the fold: orderHistory(…, { upTo }) returns the events for
 * foldOrder. No row when the order had no event by then.
 */
export function orderAsOf(database: string, orderId: string, at: Date): AnalyticsQuery<OrderAsOf> {
  const db = sqlIdentifier(database);
  const name = 'order-as-of';
  const orderTypes = sqlStringList(ORDER_EVENT_TYPES);
  const paymentTypes = sqlStringList(PAYMENT_EVENT_TYPES);
  return {
    name,
    sql: `SELECT
    aggregate_id AS order_id,
    argMaxIf(event_type, aggregate_version, event_type IN ${orderTypes}) AS last_order_event,
    ${statusTransform('last_order_event', ORDER_STATUS_AFTER, '')} AS status,
    maxIf(aggregate_version, event_type IN ${orderTypes}) AS version,
    argMaxIf(event_type, aggregate_version, event_type IN ${paymentTypes}) AS last_payment_event,
    ${statusTransform('last_payment_event', PAYMENT_STATUS_AFTER, 'NONE')} AS payment_status,
    maxIf(aggregate_version, event_type IN ${paymentTypes}) AS payment_version,
    anyIf(customer_id, event_type = 'OrderPlaced') AS placed_by,
    anyIf(currency, event_type = 'OrderPlaced') AS order_currency,
    sumIf(amount_cents, event_type = 'OrderPlaced') AS placed_total_cents,
    sumIf(amount_cents, event_type = 'PaymentAuthorized') AS authorized_cents,
    sumIf(amount_cents, event_type = 'PaymentCaptured') AS captured_cents,
    sumIf(amount_cents, event_type = 'RefundIssued') AS refunded_cents,
    count() AS event_count,
    max(${OCCURRED_MS}) AS last_event_ms
FROM ${db}.events FINAL
WHERE aggregate_id = ${sqlString(orderId)}
  AND ${OCCURRED_MS} <= ${sqlInt(at.getTime())}
GROUP BY aggregate_id`,
    parse: (row: RawRow): OrderAsOf => {
      const status = stringColumn(row, 'status', name);
      const lastOrderEvent = stringColumn(row, 'last_order_event', name);
      const lastPaymentEvent = stringColumn(row, 'last_payment_event', name);
      return {
        orderId: stringColumn(row, 'order_id', name),
        status: status === '' ? null : (status as OrderStatus),
        lastOrderEvent: lastOrderEvent === '' ? null : lastOrderEvent,
        version: intColumn(row, 'version', name),
        paymentStatus: stringColumn(row, 'payment_status', name) as PaymentStatus,
        lastPaymentEvent: lastPaymentEvent === '' ? null : lastPaymentEvent,
        paymentVersion: intColumn(row, 'payment_version', name),
        customerId: stringColumn(row, 'placed_by', name),
        currency: stringColumn(row, 'order_currency', name),
        placedTotalCents: intColumn(row, 'placed_total_cents', name),
        amountAuthorizedCents: intColumn(row, 'authorized_cents', name),
        amountCapturedCents: intColumn(row, 'captured_cents', name),
        amountRefundedCents: intColumn(row, 'refunded_cents', name),
        events: intColumn(row, 'event_count', name),
        lastEventAt: new Date(intColumn(row, 'last_event_ms', name)),
      };
    },
  };
}

export interface HistoryEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly topic: string;
  readonly aggregateVersion: number;
  readonly occurredAt: Date;
  readonly correlationId: string;
  /** null when a command from outside the pipeline caused the event. */
  readonly causationId: string | null;
  readonly producer: string;
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The decoded record as JSON; order-history.ts turns it back into an event for the fold. */
  readonly payload: string;
}

/**
 * An order's audit trail: every event of both topics, each once, in event
 * time order (ties: order events before payment events, then by version).
 * With `upTo`, only events at or before that instant: fold them
 * (toAggregateEvents + foldOrder) for the exact state at that time.
 */
export function orderHistory(database: string, orderId: string, options: { readonly upTo?: Date } = {}): AnalyticsQuery<HistoryEvent> {
  const db = sqlIdentifier(database);
  const name = 'order-history';
  const conditions = [`aggregate_id = ${sqlString(orderId)}`];
  if (options.upTo !== undefined) conditions.push(`${OCCURRED_MS} <= ${sqlInt(options.upTo.getTime())}`);
  return {
    name,
    sql: `SELECT
    event_id,
    event_type,
    topic,
    aggregate_version,
    ${OCCURRED_MS} AS occurred_at_ms,
    event_type IN ${sqlStringList(PAYMENT_EVENT_TYPES)} AS is_payment,
    correlation_id,
    causation_id,
    producer,
    customer_id,
    amount_cents,
    currency,
    payload
FROM ${db}.events FINAL${whereClause(conditions)}
ORDER BY occurred_at_ms, is_payment, aggregate_version, event_id`,
    parse: (row: RawRow): HistoryEvent => {
      const causationId = stringColumn(row, 'causation_id', name);
      return {
        eventId: stringColumn(row, 'event_id', name),
        eventType: stringColumn(row, 'event_type', name),
        topic: stringColumn(row, 'topic', name),
        aggregateVersion: intColumn(row, 'aggregate_version', name),
        occurredAt: new Date(intColumn(row, 'occurred_at_ms', name)),
        correlationId: stringColumn(row, 'correlation_id', name),
        causationId: causationId === '' ? null : causationId,
        producer: stringColumn(row, 'producer', name),
        customerId: stringColumn(row, 'customer_id', name),
        amountCents: intColumn(row, 'amount_cents', name),
        currency: stringColumn(row, 'currency', name),
        payload: stringColumn(row, 'payload', name),
      };
    },
  };
}
