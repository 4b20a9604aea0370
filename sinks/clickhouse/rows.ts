/**
 * Decoded Kafka records → the rows they become, per table. Pure: no client,
 * no clock, so the mapping is unit-tested and a replayed record always gives
 * identical rows (which is what lets the replacing tables collapse repeats).
 *
 *   orders.events   → events
 *   payments.events → events and payments
 *   orders.state    → order_state (a tombstone gives no row: the analytics
 *                     tables keep an order's history; nothing is erased)
 *   fraud.alerts    → fraud_alerts
 *
 * Records are recognised by their record type (the serde's tag), not by
 * topic name, so prefixed topics (TOPIC_PREFIX) need no configuration. A
 * value that does not fit its columns throws RowMappingError: bad data, for
 * the dead-letter topic.
 */
import type { TaggedValue } from '../../lib/serde';
import type { FraudAlert, FraudAlertMessage, OrderEvent, OrderState, OrderStateMessage, PaymentEvent } from '../../schemas/generated/types';
import { RowMappingError, int64, kafkaOffset, text, uint32, uint64 } from './row-values';
import type { EventRow, FraudAlertRow, OrderStateRow, PaymentRow, TableRows } from './tables';
import { NO_ROWS } from './tables';
import { optionalTimeColumns, timeColumns } from './time-columns';

/** What the sink needs of a consumed record: where it came from and its decoded value (null: a tombstone). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset, a decimal string. */
  readonly offset: string;
  readonly value: TaggedValue | null;
}

export type ClickHouseSinkValue = OrderEvent | PaymentEvent | OrderStateMessage | FraudAlertMessage;

const SINK_TYPES: ReadonlySet<string> = new Set<ClickHouseSinkValue['type']>([
  'OrderPlaced',
  'OrderItemAdded',
  'OrderItemRemoved',
  'OrderConfirmed',
  'OrderShipped',
  'OrderDelivered',
  'OrderCancelled',
  'PaymentAuthorized',
  'PaymentDeclined',
  'PaymentCaptured',
  'RefundIssued',
  'OrderState',
  'FraudAlert',
]);

/** Whether the sink has a table for this record type. The serde decoded the value with that type's schema, so the tag tells its shape. */
export function isClickHouseSinkValue(value: TaggedValue): value is ClickHouseSinkValue {
  return SINK_TYPES.has(value.type);
}

/** state_version = version × STATE_VERSION_FACTOR + paymentVersion (see 002_order_state.sql). */
export const STATE_VERSION_FACTOR = 1_000_000;

interface Source {
  readonly where: string;
  readonly topic: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

function sourceOf(record: ConsumedRecord): Source {
  const where = `${record.topic}[${record.partition}]@${record.offset}`;
  return {
    where,
    topic: text(record.topic, `${where} topic`),
    kafka_partition: uint32(record.partition, `${where} partition`),
    kafka_offset: kafkaOffset(record.offset, where),
  };
}

/** How JSON.stringify writes a UTF-16 surrogate on its own. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The decoded record as JSON, every string checked: JSON.stringify writes a
 * lone surrogate as a \uD8xx-\uDFxx escape, which would hide it. A payload
 * without any such escape is returned at once; one with an escape (or a
 * literal backslash-u-D text, rare) is stringified again with a check of
 * every string, which names the field at fault.
 */
function payloadJson(value: unknown, where: string): string {
  const json = JSON.stringify(value);
  if (!SURROGATE_ESCAPE.test(json)) return json;
  return JSON.stringify(value, (key, field: unknown) => (typeof field === 'string' ? text(field, `${where} payload field ${key}`) : field));
}

/** What an event says about money and its customer, when it says it. */
function eventFacts(event: OrderEvent | PaymentEvent): { customerId: string; amountCents: number; currency: string } {
  switch (event.type) {
    case 'OrderPlaced':
      return { customerId: event.value.customerId, amountCents: event.value.totalCents, currency: event.value.currency };
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
      return { customerId: event.value.customerId, amountCents: event.value.amountCents, currency: event.value.currency };
    case 'PaymentCaptured':
    case 'RefundIssued':
      return { customerId: '', amountCents: event.value.amountCents, currency: event.value.currency };
    default:
      return { customerId: '', amountCents: 0, currency: '' };
  }
}

function eventRow(source: Source, event: OrderEvent | PaymentEvent): EventRow {
  const { where } = source;
  const envelope = event.value.envelope;
  const occurred = timeColumns(envelope.occurredAt, `${where} occurredAt`);
  const facts = eventFacts(event);
  return {
    event_id: text(envelope.eventId, `${where} eventId`),
    topic: source.topic,
    event_type: event.type,
    aggregate_id: text(envelope.aggregateId, `${where} aggregateId`),
    aggregate_version: uint32(envelope.aggregateVersion, `${where} aggregateVersion`),
    occurred_at: occurred.at,
    occurred_ms: occurred.ms,
    correlation_id: text(envelope.correlationId, `${where} correlationId`),
    causation_id: text(envelope.causationId ?? '', `${where} causationId`),
    producer: text(envelope.producer, `${where} producer`),
    customer_id: text(facts.customerId, `${where} customerId`),
    amount_cents: int64(facts.amountCents, `${where} amount`),
    currency: text(facts.currency, `${where} currency`),
    payload: payloadJson(event.value, where),
    kafka_partition: source.kafka_partition,
    kafka_offset: source.kafka_offset,
  };
}

function paymentRow(source: Source, event: PaymentEvent): PaymentRow {
  const { where } = source;
  const envelope = event.value.envelope;
  const occurred = timeColumns(envelope.occurredAt, `${where} occurredAt`);
  const card =
    event.type === 'PaymentAuthorized' || event.type === 'PaymentDeclined'
      ? {
          customerId: event.value.customerId,
          paymentMethodId: event.value.paymentMethodId,
          cardFingerprint: event.value.cardFingerprint,
          country: event.value.country,
        }
      : { customerId: '', paymentMethodId: '', cardFingerprint: '', country: '' };
  const reason = event.type === 'PaymentDeclined' || event.type === 'RefundIssued' ? event.value.reason : '';
  return {
    event_id: text(envelope.eventId, `${where} eventId`),
    order_id: text(envelope.aggregateId, `${where} aggregateId`),
    event_type: event.type,
    payment_version: uint32(envelope.aggregateVersion, `${where} aggregateVersion`),
    occurred_at: occurred.at,
    occurred_ms: occurred.ms,
    customer_id: text(card.customerId, `${where} customerId`),
    payment_method_id: text(card.paymentMethodId, `${where} paymentMethodId`),
    card_fingerprint: text(card.cardFingerprint, `${where} cardFingerprint`),
    card_country: text(card.country, `${where} country`),
    amount_cents: int64(event.value.amountCents, `${where} amountCents`),
    currency: text(event.value.currency, `${where} currency`),
    reason: text(reason, `${where} reason`),
    kafka_partition: source.kafka_partition,
    kafka_offset: source.kafka_offset,
  };
}

/** The single version ReplacingMergeTree compares: (version, paymentVersion) in lexicographic order. */
export function stateVersion(version: number, paymentVersion: number, where: string): number {
  uint32(version, `${where} version`);
  if (!Number.isSafeInteger(paymentVersion) || paymentVersion < 0 || paymentVersion >= STATE_VERSION_FACTOR) {
    throw new RowMappingError(
      `${where} paymentVersion is ${paymentVersion}: order_state.state_version holds payment versions from 0 to ${STATE_VERSION_FACTOR - 1}`,
    );
  }
  return uint64(version * STATE_VERSION_FACTOR + paymentVersion, `${where} state version`);
}

function orderStateRow(source: Source, state: OrderState): OrderStateRow {
  const { where } = source;
  const placed = timeColumns(state.placedAt, `${where} placedAt`);
  const confirmed = optionalTimeColumns(state.confirmedAt, `${where} confirmedAt`);
  const shipped = optionalTimeColumns(state.shippedAt, `${where} shippedAt`);
  const delivered = optionalTimeColumns(state.deliveredAt, `${where} deliveredAt`);
  const cancelled = optionalTimeColumns(state.cancelledAt, `${where} cancelledAt`);
  const last = timeColumns(state.lastEventAt, `${where} lastEventAt`);
  return {
    order_id: text(state.orderId, `${where} orderId`),
    customer_id: text(state.customerId, `${where} customerId`),
    status: state.status,
    item_skus: state.items.map((item, i) => text(item.sku, `${where} items[${i}].sku`)),
    item_quantities: state.items.map((item, i) => uint32(item.quantity, `${where} items[${i}].quantity`)),
    item_unit_price_cents: state.items.map((item, i) => int64(item.unitPriceCents, `${where} items[${i}].unitPriceCents`)),
    total_cents: int64(state.totalCents, `${where} totalCents`),
    currency: text(state.currency, `${where} currency`),
    placed_at: placed.at,
    placed_ms: placed.ms,
    confirmed_at: confirmed.at,
    confirmed_ms: confirmed.ms,
    shipped_at: shipped.at,
    shipped_ms: shipped.ms,
    delivered_at: delivered.at,
    delivered_ms: delivered.ms,
    cancelled_at: cancelled.at,
    cancelled_ms: cancelled.ms,
    carrier: text(state.carrier ?? '', `${where} carrier`),
    tracking_number: text(state.trackingNumber ?? '', `${where} trackingNumber`),
    cancel_reason: text(state.cancelReason ?? '', `${where} cancelReason`),
    cancelled_by: text(state.cancelledBy ?? '', `${where} cancelledBy`),
    payment_status: state.paymentStatus,
    amount_authorized_cents: int64(state.amountAuthorizedCents, `${where} amountAuthorizedCents`),
    amount_captured_cents: int64(state.amountCapturedCents, `${where} amountCapturedCents`),
    amount_refunded_cents: int64(state.amountRefundedCents, `${where} amountRefundedCents`),
    last_event_at: last.at,
    last_event_ms: last.ms,
    last_event_id: text(state.lastEventId, `${where} lastEventId`),
    version: uint32(state.version, `${where} version`),
    payment_version: uint32(state.paymentVersion, `${where} paymentVersion`),
    state_version: stateVersion(state.version, state.paymentVersion, where),
    kafka_partition: source.kafka_partition,
    kafka_offset: source.kafka_offset,
  };
}

function fraudAlertRow(source: Source, alert: FraudAlert): FraudAlertRow {
  const { where } = source;
  const start = timeColumns(alert.windowStart, `${where} windowStart`);
  const end = timeColumns(alert.windowEnd, `${where} windowEnd`);
  const detected = timeColumns(alert.detectedAt, `${where} detectedAt`);
  return {
    alert_id: text(alert.alertId, `${where} alertId`),
    customer_id: text(alert.customerId, `${where} customerId`),
    rule: text(alert.rule, `${where} rule`),
    window_start_at: start.at,
    window_start_ms: start.ms,
    window_end_at: end.at,
    window_end_ms: end.ms,
    observed: int64(alert.observed, `${where} observed`),
    threshold: int64(alert.threshold, `${where} threshold`),
    triggering_event_ids: alert.triggeringEventIds.map((id, i) => text(id, `${where} triggeringEventIds[${i}]`)),
    detected_at: detected.at,
    detected_ms: detected.ms,
    kafka_partition: source.kafka_partition,
    kafka_offset: source.kafka_offset,
  };
}

/** The rows one record becomes; throws RowMappingError for a record the sink cannot store. */
export function rowsForRecord(record: ConsumedRecord): TableRows {
  if (record.value === null) return NO_ROWS;
  const source = sourceOf(record);
  const value = record.value;
  if (!isClickHouseSinkValue(value)) {
    throw new RowMappingError(
      `${source.where}: record type ${value.type} has no ClickHouse table ` +
        `(the sink stores order and payment events, OrderState and FraudAlert): is the sink subscribed to the right topics?`,
    );
  }
  switch (value.type) {
    case 'OrderState':
      return { ...NO_ROWS, order_state: [orderStateRow(source, value.value)] };
    case 'FraudAlert':
      return { ...NO_ROWS, fraud_alerts: [fraudAlertRow(source, value.value)] };
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
    case 'PaymentCaptured':
    case 'RefundIssued':
      return { ...NO_ROWS, events: [eventRow(source, value)], payments: [paymentRow(source, value)] };
    default:
      return { ...NO_ROWS, events: [eventRow(source, value)] };
  }
}
