/**
 * Redis operations → the commands of one pipeline. Deletes first, one call
 * each (a key has at most a delete then a put per batch, so deleting first
 * keeps each key's order); then puts, many keys per script call with their
 * data packed as one JSON argument. Per-call and per-argument costs (on the
 * client and in Redis) are what bound the sink, not the writes themselves.
 */
import { alertEntry } from './alert-entry';
import { countersHashFields } from './counters-hash';
import { flattenFields } from './hash-fields';
import type { RedisKeys } from './keys';
import type { ScriptName } from './lua-scripts';
import { ORDER_HASH_FIELDS, orderHashValues } from './order-hash';
import type { RedisOp } from './plan-batch';

export interface PlannedCall {
  readonly command: 'evalsha' | 'del';
  readonly args: readonly (string | number)[];
  /** The operations the call carries, in the order of its per-operation replies. */
  readonly ops: readonly RedisOp[];
  /** The reply is an array with one entry per operation (batch scripts), not one reply for one operation. */
  readonly perOp: boolean;
}

export interface CallOptions {
  /** Keys per batch script call: big enough to amortize a call, small enough not to block Redis for long. */
  readonly keysPerCall: number;
  readonly recentAlerts: number;
}

export const DEFAULT_KEYS_PER_CALL = 250;

const ORDER_FIELD_NAMES = JSON.stringify(ORDER_HASH_FIELDS);

type Of<K extends RedisOp['kind']> = Extract<RedisOp, { kind: K }>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function planCalls(ops: readonly RedisOp[], keys: RedisKeys, sha: (name: ScriptName) => string, options: CallOptions): PlannedCall[] {
  const calls: PlannedCall[] = [];
  const orders: Of<'put-order'>[] = [];
  const counters: Of<'put-counters'>[] = [];
  const alerts: Of<'add-alert'>[] = [];
  for (const op of ops) {
    switch (op.kind) {
      case 'delete-order':
        calls.push({
          command: 'evalsha',
          args: [sha('deleteOrder'), 1, keys.order(op.orderId), keys.customerOrdersPrefix, keys.customerOrdersSuffix, op.orderId],
          ops: [op],
          perOp: false,
        });
        break;
      case 'delete-counters':
        calls.push({ command: 'del', args: [keys.fraudCounters(op.customerId)], ops: [op], perOp: false });
        break;
      case 'put-order':
        orders.push(op);
        break;
      case 'put-counters':
        counters.push(op);
        break;
      case 'add-alert':
        alerts.push(op);
        break;
    }
  }
  for (const chunk of chunks(orders, options.keysPerCall)) {
    const args: (string | number)[] = [sha('applyOrderStates'), chunk.length * 2];
    const data: unknown[] = [];
    for (const op of chunk) {
      args.push(keys.order(op.orderId), keys.customerOrders(op.customerId));
      const { state } = op;
      data.push([state.version, state.paymentVersion, String(state.placedAt.getTime()), state.orderId, state.customerId, orderHashValues(state)]);
    }
    args.push(keys.customerOrdersPrefix, keys.customerOrdersSuffix, ORDER_FIELD_NAMES, JSON.stringify(data));
    calls.push({ command: 'evalsha', args, ops: chunk, perOp: true });
  }
  for (const chunk of chunks(counters, options.keysPerCall)) {
    const args: (string | number)[] = [sha('applyFraudCounters'), chunk.length];
    for (const op of chunk) args.push(keys.fraudCounters(op.customerId));
    args.push(JSON.stringify(chunk.map((op) => [op.version, flattenFields(countersHashFields(op.counters))])));
    calls.push({ command: 'evalsha', args, ops: chunk, perOp: true });
  }
  for (const chunk of chunks(alerts, options.keysPerCall)) {
    const args: (string | number)[] = [sha('addFraudAlerts'), chunk.length * 2];
    const data: unknown[] = [];
    for (const op of chunk) {
      args.push(keys.alerts(op.customerId), keys.alertData(op.customerId));
      const { score, json } = alertEntry(op.alert);
      data.push([op.alertId, String(score), json]);
    }
    args.push(options.recentAlerts, JSON.stringify(data));
    calls.push({ command: 'evalsha', args, ops: chunk, perOp: true });
  }
  return calls;
}
