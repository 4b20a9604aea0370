import { foldOrder } from '../../../lib/domain/orders/fold';
import type { OrderState } from '../../../schemas/generated/types';
import {
  WHOLE_ORDER,
  clickHouseMismatches,
  countByStatus,
  expectedOrderStateRow,
  redisMismatches,
  statusCountMismatches,
} from '../../../scripts/ops/projection-check';
import { orderHashFields } from '../../../sinks/redis/order-hash';
import { T0, authorized, confirmed, placed } from '../../fixtures/order-events';

const state = foldOrder([placed(undefined, { at: T0 }), confirmed(2, { at: T0 + 2000 }), authorized(1, 4498, { at: T0 + 1000 })]).state as OrderState;
const id = state.orderId;

/** The row as ClickHouse 18.16 returns it in JSONEachRow: 64-bit integers as strings, and the sink's Kafka position. */
function rowAsRead(s: OrderState): Record<string, unknown> {
  const row: Record<string, unknown> = { ...expectedOrderStateRow(s), kafka_partition: 4, kafka_offset: '1234' };
  for (const column of ['total_cents', 'amount_authorized_cents', 'amount_captured_cents', 'amount_refunded_cents', 'state_version'])
    row[column] = String(row[column]);
  row['item_unit_price_cents'] = (row['item_unit_price_cents'] as number[]).map(String);
  return row;
}

describe('redisMismatches', () => {
  test('the hash the sink writes for the state matches', () => {
    expect(redisMismatches(id, state, orderHashFields(state))).toEqual([]);
  });

  test('a wrong field is named with both values', () => {
    expect(redisMismatches(id, state, { ...orderHashFields(state), status: 'CANCELLED' })).toEqual([
      { orderId: id, store: 'redis', field: 'status', expected: 'CONFIRMED', actual: 'CANCELLED' },
    ]);
  });

  test('an order missing from Redis, or in Redis but not in the log, is one whole-order mismatch', () => {
    expect(redisMismatches(id, state, {})).toEqual([{ orderId: id, store: 'redis', field: WHOLE_ORDER, expected: 'present', actual: null }]);
    expect(redisMismatches(id, undefined, orderHashFields(state))).toEqual([
      { orderId: id, store: 'redis', field: WHOLE_ORDER, expected: null, actual: 'present' },
    ]);
    expect(redisMismatches(id, undefined, {})).toEqual([]);
  });
});

describe('clickHouseMismatches', () => {
  test('the row read back matches whatever Kafka position the sink recorded', () => {
    expect(clickHouseMismatches(id, state, rowAsRead(state))).toEqual([]);
  });

  test('a newer wrong state is named field by field', () => {
    const wrong = rowAsRead({ ...state, status: 'CANCELLED', version: state.version + 1 });
    expect(clickHouseMismatches(id, state, wrong)).toEqual([
      { orderId: id, store: 'clickhouse', field: 'status', expected: 'CONFIRMED', actual: 'CANCELLED' },
      { orderId: id, store: 'clickhouse', field: 'version', expected: '2', actual: '3' },
      { orderId: id, store: 'clickhouse', field: 'state_version', expected: '2000001', actual: '3000001' },
    ]);
  });

  test('a missing row is one whole-order mismatch', () => {
    expect(clickHouseMismatches(id, state, undefined)).toEqual([{ orderId: id, store: 'clickhouse', field: WHOLE_ORDER, expected: 'present', actual: null }]);
  });
});

describe('status counts', () => {
  test('counts the states per status', () => {
    expect(countByStatus([state, state, { ...state, status: 'SHIPPED' }])).toEqual(
      new Map([
        ['CONFIRMED', 2],
        ['SHIPPED', 1],
      ]),
    );
  });

  test('reports each status whose count differs, a missing one as 0', () => {
    const log = new Map([
      ['CONFIRMED', 2],
      ['SHIPPED', 1],
    ]);
    expect(statusCountMismatches('redis', log, log)).toEqual([]);
    expect(
      statusCountMismatches(
        'redis',
        log,
        new Map([
          ['CONFIRMED', 2],
          ['CANCELLED', 1],
        ]),
      ),
    ).toEqual([
      { orderId: null, store: 'redis', field: 'orders with status CANCELLED', expected: '0', actual: '1' },
      { orderId: null, store: 'redis', field: 'orders with status SHIPPED', expected: '1', actual: '0' },
    ]);
  });
});
