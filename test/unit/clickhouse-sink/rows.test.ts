import { TOPIC } from '../../../lib/topics';
import { RowMappingError } from '../../../sinks/clickhouse/row-values';
import { STATE_VERSION_FACTOR, ConsumedRecord, rowsForRecord, stateVersion } from '../../../sinks/clickhouse/rows';
import { NO_ROWS, concatRows, rowCount } from '../../../sinks/clickhouse/tables';
import { epochMsOf, timeColumns } from '../../../sinks/clickhouse/time-columns';
import { SAMPLE_RECORDS, sampleEnvelope } from '../../fixtures/sample-records';

const at = (topic: string, value: ConsumedRecord['value'], offset = '17'): ConsumedRecord => ({ topic, partition: 3, offset, value });

describe('time columns', () => {
  test('a millisecond timestamp becomes a UTC DateTime text and the milliseconds', () => {
    expect(timeColumns(new Date('2024-05-01T23:59:58.987Z'), 't')).toEqual({ at: '2024-05-01 23:59:58', ms: 987 });
    expect(timeColumns(new Date(0), 't')).toEqual({ at: '1970-01-01 00:00:00', ms: 0 });
    expect(epochMsOf('2024-05-01 23:59:58', 987)).toBe(Date.parse('2024-05-01T23:59:58.987Z'));
  });

  test('times DateTime cannot hold are bad data', () => {
    expect(() => timeColumns(new Date(-1), 'occurredAt')).toThrow(RowMappingError);
    expect(() => timeColumns(new Date('2106-02-08T00:00:00Z'), 'occurredAt')).toThrow(/outside ClickHouse DateTime's range/);
    expect(() => timeColumns(new Date(Number.NaN), 'occurredAt')).toThrow(/not a valid timestamp/);
  });
});

describe('rowsForRecord', () => {
  test('an order event becomes one events row', () => {
    const rows = rowsForRecord(at('test.orders.events', { type: 'OrderPlaced', value: SAMPLE_RECORDS.OrderPlaced }));
    expect(rows.payments).toEqual([]);
    expect(rows.order_state).toEqual([]);
    expect(rows.events).toEqual([
      {
        event_id: '0b9a6c1e-3f0e-4d8e-9a53-6c1f2f7e1a01',
        topic: 'test.orders.events',
        event_type: 'OrderPlaced',
        aggregate_id: 'order-1',
        aggregate_version: 1,
        occurred_at: '2024-05-01 12:00:00',
        occurred_ms: 0,
        correlation_id: 'checkout-7f3c',
        causation_id: '',
        producer: 'checkout-api',
        customer_id: 'cust-1',
        amount_cents: 6499,
        currency: 'EUR',
        payload: JSON.stringify(SAMPLE_RECORDS.OrderPlaced),
        kafka_partition: 3,
        kafka_offset: 17,
      },
    ]);
    const payload: unknown = JSON.parse(rows.events[0]!.payload);
    expect(payload).toMatchObject({
      envelope: { occurredAt: '2024-05-01T12:00:00.000Z' },
      items: [{ sku: 'SKU-RED-MUG', quantity: 2 }, { sku: 'SKU-TEAPOT' }],
    });
  });

  test('order events without money or customer leave those columns empty', () => {
    const rows = rowsForRecord(at(TOPIC.orderEvents, { type: 'OrderItemAdded', value: SAMPLE_RECORDS.OrderItemAdded }));
    expect(rows.events[0]).toMatchObject({
      event_type: 'OrderItemAdded',
      aggregate_version: 2,
      causation_id: 'cmd-42',
      customer_id: '',
      amount_cents: 0,
      currency: '',
    });
  });

  test('a payment event becomes an events row and a payments row', () => {
    const rows = rowsForRecord(at(TOPIC.paymentEvents, { type: 'PaymentDeclined', value: SAMPLE_RECORDS.PaymentDeclined }));
    expect(rows.events).toHaveLength(1);
    expect(rows.events[0]).toMatchObject({ event_type: 'PaymentDeclined', customer_id: 'cust-1', amount_cents: 6499, currency: 'EUR' });
    expect(rows.payments).toEqual([
      {
        event_id: '0b9a6c1e-3f0e-4d8e-9a53-6c1f2f7e1a01',
        order_id: 'order-1',
        event_type: 'PaymentDeclined',
        payment_version: 1,
        occurred_at: '2024-05-01 12:00:00',
        occurred_ms: 0,
        customer_id: 'cust-1',
        payment_method_id: 'pm-visa-2',
        card_fingerprint: 'fp-77aa01',
        card_country: 'FR',
        amount_cents: 6499,
        currency: 'EUR',
        reason: 'insufficient_funds',
        kafka_partition: 3,
        kafka_offset: 17,
      },
    ]);
  });

  test('captures and refunds have no card or customer; refunds keep their reason', () => {
    const captured = rowsForRecord(at(TOPIC.paymentEvents, { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured }));
    expect(captured.payments[0]).toMatchObject({ customer_id: '', card_fingerprint: '', card_country: '', reason: '', amount_cents: 6499 });
    expect(captured.events[0]).toMatchObject({ customer_id: '', amount_cents: 6499, currency: 'EUR' });
    const refund = rowsForRecord(at(TOPIC.paymentEvents, { type: 'RefundIssued', value: SAMPLE_RECORDS.RefundIssued }));
    expect(refund.payments[0]).toMatchObject({ event_type: 'RefundIssued', reason: 'item returned', amount_cents: 1250, payment_version: 3 });
  });

  test('an OrderState becomes an order_state row with lines as parallel arrays and a combined version', () => {
    const rows = rowsForRecord(at(TOPIC.orderState, { type: 'OrderState', value: SAMPLE_RECORDS.OrderState }, '9'));
    expect(rows.events).toEqual([]);
    expect(rows.order_state).toEqual([
      {
        order_id: 'order-1',
        customer_id: 'cust-1',
        status: 'SHIPPED',
        item_skus: ['SKU-RED-MUG', 'SKU-TEAPOT'],
        item_quantities: [2, 1],
        item_unit_price_cents: [1250, 3999],
        total_cents: 6499,
        currency: 'EUR',
        placed_at: '2024-05-01 12:00:00',
        placed_ms: 0,
        confirmed_at: '2024-05-01 12:01:00',
        confirmed_ms: 0,
        shipped_at: '2024-05-01 13:00:00',
        shipped_ms: 0,
        delivered_at: null,
        delivered_ms: 0,
        cancelled_at: null,
        cancelled_ms: 0,
        carrier: 'DHL',
        tracking_number: 'JD0146000012345',
        cancel_reason: '',
        cancelled_by: '',
        payment_status: 'CAPTURED',
        amount_authorized_cents: 6499,
        amount_captured_cents: 6499,
        amount_refunded_cents: 0,
        last_event_at: '2024-05-01 13:00:00',
        last_event_ms: 0,
        last_event_id: '0b9a6c1e-3f0e-4d8e-9a53-6c1f2f7e1a05',
        version: 3,
        payment_version: 2,
        state_version: 3_000_002,
        kafka_partition: 3,
        kafka_offset: 9,
      },
    ]);
  });

  test('a FraudAlert becomes a fraud_alerts row', () => {
    const rows = rowsForRecord(at(TOPIC.fraudAlerts, { type: 'FraudAlert', value: SAMPLE_RECORDS.FraudAlert }));
    expect(rows.fraud_alerts).toEqual([
      expect.objectContaining({
        alert_id: 'cust-1:declines-per-10m:1714564800000',
        customer_id: 'cust-1',
        rule: 'declines-per-10m',
        window_start_at: '2024-05-01 12:00:00',
        window_start_ms: 0,
        window_end_at: '2024-05-01 12:10:00',
        window_end_ms: 0,
        observed: 3,
        triggering_event_ids: SAMPLE_RECORDS.FraudAlert.triggeringEventIds,
        kafka_offset: 17,
      }),
    ]);
  });

  test('milliseconds survive in their own column', () => {
    const envelope = sampleEnvelope({ occurredAt: new Date('2024-05-01T12:00:00.123Z') });
    const rows = rowsForRecord(at(TOPIC.orderEvents, { type: 'OrderConfirmed', value: { envelope } }));
    expect(rows.events[0]).toMatchObject({ occurred_at: '2024-05-01 12:00:00', occurred_ms: 123 });
  });

  test('text that merely reads like an escaped surrogate, and a surrogate pair, stay as they are in the payload', () => {
    const sku = 'literally \\uD800 and 😀';
    const rows = rowsForRecord(at(TOPIC.orderEvents, { type: 'OrderItemRemoved', value: { envelope: sampleEnvelope(), sku, quantity: 1 } }));
    expect((JSON.parse(rows.events[0]!.payload) as { sku: string }).sku).toBe(sku);
  });

  test('a tombstone becomes no row', () => {
    expect(rowsForRecord(at(TOPIC.orderState, null))).toEqual(NO_ROWS);
  });

  test('the same record always gives the same rows (replays collapse onto them)', () => {
    const record = at(TOPIC.orderState, { type: 'OrderState', value: SAMPLE_RECORDS.OrderState });
    expect(rowsForRecord(record)).toEqual(rowsForRecord({ ...record }));
  });

  test('a record type without a table is bad data naming the record', () => {
    expect(() => rowsForRecord(at('customers', { type: 'CustomerProfile', value: SAMPLE_RECORDS.CustomerProfile }))).toThrow(
      /customers\[3\]@17: record type CustomerProfile has no ClickHouse table/,
    );
  });

  test.each<[string, ConsumedRecord]>([
    [
      'a negative quantity',
      at(TOPIC.orderState, { type: 'OrderState', value: { ...SAMPLE_RECORDS.OrderState, items: [{ sku: 'S', quantity: -1, unitPriceCents: 1 }] } }),
    ],
    ['a version beyond UInt32', at(TOPIC.orderEvents, { type: 'OrderConfirmed', value: { envelope: sampleEnvelope({ aggregateVersion: 2 ** 32 }) } })],
    ['a time before 1970', at(TOPIC.orderEvents, { type: 'OrderConfirmed', value: { envelope: sampleEnvelope({ occurredAt: new Date(-5) }) } })],
    ['a lone surrogate', at(TOPIC.orderEvents, { type: 'OrderConfirmed', value: { envelope: sampleEnvelope({ producer: 'bad\uD800' }) } })],
    [
      'a lone surrogate deep in the payload',
      at(TOPIC.orderEvents, { type: 'OrderItemRemoved', value: { envelope: sampleEnvelope(), sku: '\uDC00', quantity: 1 } }),
    ],
    ['a fractional amount', at(TOPIC.paymentEvents, { type: 'PaymentCaptured', value: { ...SAMPLE_RECORDS.PaymentCaptured, amountCents: 10.5 } })],
    ['a non-numeric offset', at(TOPIC.orderEvents, { type: 'OrderConfirmed', value: SAMPLE_RECORDS.OrderConfirmed }, 'x1')],
    [
      'a payment version the state version cannot hold',
      at(TOPIC.orderState, { type: 'OrderState', value: { ...SAMPLE_RECORDS.OrderState, paymentVersion: STATE_VERSION_FACTOR } }),
    ],
  ])('%s is bad data (RowMappingError)', (_, record) => {
    expect(() => rowsForRecord(record)).toThrow(RowMappingError);
  });
});

describe('stateVersion', () => {
  test('orders states by (version, paymentVersion)', () => {
    const pairs: Array<[number, number]> = [
      [1, 0],
      [1, 1],
      [1, 999_999],
      [2, 0],
      [2, 3],
      [10, 0],
    ];
    const versions = pairs.map(([v, p]) => stateVersion(v, p, 'x'));
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
  });
});

describe('row batches', () => {
  test('concatRows joins table by table; rowCount counts all tables', () => {
    const a = rowsForRecord(at(TOPIC.paymentEvents, { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured }));
    const b = rowsForRecord(at(TOPIC.orderState, { type: 'OrderState', value: SAMPLE_RECORDS.OrderState }));
    const joined = concatRows([a, b, NO_ROWS]);
    expect(joined.events).toHaveLength(1);
    expect(joined.payments).toHaveLength(1);
    expect(joined.order_state).toHaveLength(1);
    expect(rowCount(joined)).toBe(3);
  });
});
