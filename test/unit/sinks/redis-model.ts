/**
 * An in-memory model of what the Redis sink's Lua scripts do, for checking
 * batch planning without Redis: the same gate, index and trim rules as
 * sinks/redis/lua/*.lua (integration tests check the scripts themselves).
 */
import { alertEntry } from '../../../sinks/redis/alert-entry';
import { countersHashFields } from '../../../sinks/redis/counters-hash';
import { orderHashFields } from '../../../sinks/redis/order-hash';
import type { RedisOp } from '../../../sinks/redis/plan-batch';

export interface ModelState {
  orders: Map<string, { version: number; paymentVersion: number; customerId: string; fields: Record<string, string> }>;
  index: Map<string, Map<string, number>>;
  counters: Map<string, { version: number; fields: Record<string, string> }>;
  alerts: Map<string, Map<string, { score: number; json: string }>>;
}

export function emptyModel(): ModelState {
  return { orders: new Map(), index: new Map(), counters: new Map(), alerts: new Map() };
}

/** Like Redis, a sorted set left without members does not exist. */
function unindex(model: ModelState, customerId: string, orderId: string): void {
  const index = model.index.get(customerId);
  index?.delete(orderId);
  if (index?.size === 0) model.index.delete(customerId);
}

export function applyOps(model: ModelState, ops: readonly RedisOp[], keep = 20): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'put-order': {
        const stored = model.orders.get(op.orderId);
        if (stored && (op.version < stored.version || (op.version === stored.version && op.paymentVersion <= stored.paymentVersion))) break;
        if (stored && stored.customerId !== op.customerId) unindex(model, stored.customerId, op.orderId);
        model.orders.set(op.orderId, { version: op.version, paymentVersion: op.paymentVersion, customerId: op.customerId, fields: orderHashFields(op.state) });
        const index = model.index.get(op.customerId) ?? new Map<string, number>();
        index.set(op.orderId, op.state.placedAt.getTime());
        model.index.set(op.customerId, index);
        break;
      }
      case 'delete-order': {
        const stored = model.orders.get(op.orderId);
        if (stored) unindex(model, stored.customerId, op.orderId);
        model.orders.delete(op.orderId);
        break;
      }
      case 'put-counters': {
        const stored = model.counters.get(op.customerId);
        if (stored && op.version <= stored.version) break;
        model.counters.set(op.customerId, { version: op.version, fields: countersHashFields(op.counters) });
        break;
      }
      case 'delete-counters':
        model.counters.delete(op.customerId);
        break;
      case 'add-alert': {
        const alerts = model.alerts.get(op.customerId) ?? new Map<string, { score: number; json: string }>();
        alerts.set(op.alertId, alertEntry(op.alert));
        const ordered = [...alerts].sort(([a, x], [b, y]) => x.score - y.score || (a < b ? -1 : 1));
        for (const [id] of ordered.slice(0, Math.max(0, ordered.length - keep))) alerts.delete(id);
        model.alerts.set(op.customerId, alerts);
        break;
      }
    }
  }
}
