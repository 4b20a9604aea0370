/**
 * Compares what the sinks hold with the order states folded from the log:
 * per order and field, and per status over the whole store. Pure: the
 * stores' contents come in as flat records and counts.
 *
 * The expected form of each store is what its sink writes for the state:
 * the Redis hash of order-hash.ts, the order_state row of the ClickHouse
 * sink's rows.ts (less the Kafka position columns, which depend on where
 * orders.state put the record, not on the state).
 */
import type { OrderState } from '../../schemas/generated/types';
import { TOPIC } from '../../lib/topics';
import { ClickHouseSinkValue, rowsForRecord } from '../../sinks/clickhouse/rows';
import type { SinkTable } from '../../sinks/clickhouse/tables';
import { orderHashFields } from '../../sinks/redis/order-hash';
import { FlatRecord, flattenRow, recordDifferences } from './field-diff';

export type ProjectionStore = 'redis' | 'clickhouse';

export interface Mismatch {
  /** null for a whole-store check (a count). */
  readonly orderId: string | null;
  readonly store: ProjectionStore;
  readonly field: string;
  /** null: absent */
  readonly expected: string | null;
  readonly actual: string | null;
}

/** The field of a mismatch about an order missing from a store, or present but not in the log. */
export const WHOLE_ORDER = '(order)';
/** Where the sink put a record, not what the record says: never compared. */
export const POSITION_COLUMNS = ['kafka_partition', 'kafka_offset'];

function orderMismatches(store: ProjectionStore, orderId: string, expected: FlatRecord | undefined, actual: FlatRecord | undefined): Mismatch[] {
  return recordDifferences(WHOLE_ORDER, expected, actual).map((d) => ({ orderId, store, ...d }));
}

/** `hash` is HGETALL's answer; an empty one means no key. */
export function redisMismatches(orderId: string, expected: OrderState | undefined, hash: FlatRecord): Mismatch[] {
  const actual = Object.keys(hash).length === 0 ? undefined : hash;
  return orderMismatches('redis', orderId, expected && orderHashFields(expected), actual);
}

/** The row the ClickHouse sink writes for a record of `topic` in `table` (its Kafka position columns are placeholders). */
export function expectedRow(topic: string, value: ClickHouseSinkValue, table: SinkTable, what: string): Readonly<Record<string, unknown>> {
  const [row] = rowsForRecord({ topic, partition: 0, offset: '0', value })[table];
  if (row === undefined) throw new Error(`the ClickHouse sink maps ${what} to no ${table} row`);
  return row as unknown as Readonly<Record<string, unknown>>;
}

/** The order_state row the ClickHouse sink writes for a state. */
export function expectedOrderStateRow(state: OrderState): Readonly<Record<string, unknown>> {
  return expectedRow(TOPIC.orderState, { type: 'OrderState', value: state }, 'order_state', `order ${state.orderId}`);
}

/** `row` as read from order_state FINAL (JSONEachRow), undefined when the order has none. */
export function clickHouseMismatches(orderId: string, expected: OrderState | undefined, row: Readonly<Record<string, unknown>> | undefined): Mismatch[] {
  return orderMismatches(
    'clickhouse',
    orderId,
    expected && flattenRow(expectedOrderStateRow(expected), POSITION_COLUMNS),
    row && flattenRow(row, POSITION_COLUMNS),
  );
}

export function countByStatus(states: Iterable<OrderState>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { status } of states) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
}

/** Orders per status in a whole store against the log's. */
export function statusCountMismatches(store: ProjectionStore, expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>): Mismatch[] {
  const statuses = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return statuses
    .filter((status) => (expected.get(status) ?? 0) !== (actual.get(status) ?? 0))
    .map((status) => ({
      orderId: null,
      store,
      field: `orders with status ${status}`,
      expected: String(expected.get(status) ?? 0),
      actual: String(actual.get(status) ?? 0),
    }));
}
