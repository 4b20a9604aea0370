/**
 * The tables the sink writes and the exact row each one takes, column for
 * column as the migrations declare them. Rows are inserted as JSONEachRow:
 * DateTime columns take 'YYYY-MM-DD hh:mm:ss' (UTC, see time-columns.ts),
 * integers are JSON numbers (never quoted: 18.16 refuses quoted numbers for
 * some types), absent strings are ''.
 */

/** One orders.events or payments.events event (001_events.sql). */
export interface EventRow {
  readonly event_id: string;
  readonly topic: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly aggregate_version: number;
  readonly occurred_at: string;
  readonly occurred_ms: number;
  readonly correlation_id: string;
  readonly causation_id: string;
  readonly producer: string;
  readonly customer_id: string;
  readonly amount_cents: number;
  readonly currency: string;
  readonly payload: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** One payments.events event (003_payments.sql). */
export interface PaymentRow {
  readonly event_id: string;
  readonly order_id: string;
  readonly event_type: string;
  readonly payment_version: number;
  readonly occurred_at: string;
  readonly occurred_ms: number;
  readonly customer_id: string;
  readonly payment_method_id: string;
  readonly card_fingerprint: string;
  readonly card_country: string;
  readonly amount_cents: number;
  readonly currency: string;
  readonly reason: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** One OrderState of orders.state (002_order_state.sql). */
export interface OrderStateRow {
  readonly order_id: string;
  readonly customer_id: string;
  readonly status: string;
  readonly item_skus: readonly string[];
  readonly item_quantities: readonly number[];
  readonly item_unit_price_cents: readonly number[];
  readonly total_cents: number;
  readonly currency: string;
  readonly placed_at: string;
  readonly placed_ms: number;
  readonly confirmed_at: string | null;
  readonly confirmed_ms: number;
  readonly shipped_at: string | null;
  readonly shipped_ms: number;
  readonly delivered_at: string | null;
  readonly delivered_ms: number;
  readonly cancelled_at: string | null;
  readonly cancelled_ms: number;
  readonly carrier: string;
  readonly tracking_number: string;
  readonly cancel_reason: string;
  readonly cancelled_by: string;
  readonly payment_status: string;
  readonly amount_authorized_cents: number;
  readonly amount_captured_cents: number;
  readonly amount_refunded_cents: number;
  readonly last_event_at: string;
  readonly last_event_ms: number;
  readonly last_event_id: string;
  readonly version: number;
  readonly payment_version: number;
  readonly state_version: number;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** One FraudAlert of fraud.alerts (004_fraud_alerts.sql). */
export interface FraudAlertRow {
  readonly alert_id: string;
  readonly customer_id: string;
  readonly rule: string;
  readonly window_start_at: string;
  readonly window_start_ms: number;
  readonly window_end_at: string;
  readonly window_end_ms: number;
  readonly observed: number;
  readonly threshold: number;
  readonly triggering_event_ids: readonly string[];
  readonly detected_at: string;
  readonly detected_ms: number;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** Rows of every table the sink inserts into, by table name. */
export interface TableRows {
  readonly events: readonly EventRow[];
  readonly payments: readonly PaymentRow[];
  readonly order_state: readonly OrderStateRow[];
  readonly fraud_alerts: readonly FraudAlertRow[];
}

export type SinkTable = keyof TableRows;

/** Insert order within a batch; any order is correct (every table is replay-safe), a fixed one keeps logs comparable. */
export const SINK_TABLES: readonly SinkTable[] = ['events', 'payments', 'order_state', 'fraud_alerts'];

export const NO_ROWS: TableRows = { events: [], payments: [], order_state: [], fraud_alerts: [] };

/** Concatenates the rows of many records, table by table. */
export function concatRows(parts: Iterable<TableRows>): TableRows {
  const events: EventRow[] = [];
  const payments: PaymentRow[] = [];
  const orderState: OrderStateRow[] = [];
  const fraudAlerts: FraudAlertRow[] = [];
  for (const part of parts) {
    events.push(...part.events);
    payments.push(...part.payments);
    orderState.push(...part.order_state);
    fraudAlerts.push(...part.fraud_alerts);
  }
  return { events, payments, order_state: orderState, fraud_alerts: fraudAlerts };
}

export function rowCount(rows: TableRows): number {
  return SINK_TABLES.reduce((sum, table) => sum + rows[table].length, 0);
}
