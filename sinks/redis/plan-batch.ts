/**
 * A batch of decoded records → the Redis operations that materialize it,
 * and the records refused as bad data. Pure: no client, no clock.
 *
 * Records of one key are collapsed to what they amount to, as a fold of the
 * version gate would leave it: the newest state (not the last one: a stale
 * state may follow a newer one), after a delete when a tombstone came in
 * between. The Lua scripts still gate every operation against what Redis
 * holds, so the outcome is the same as applying each record in turn (a
 * unit test checks it on random histories), with one operation per key
 * instead of one per record: a busy order's states often share a batch.
 */
import { TOPIC } from '../../lib/topics';
import type { FraudAlert, FraudCounters, OrderState } from '../../schemas/generated/types';
import type { RecordRejection, SinkRecord } from '../runtime/sink-writer';

/** The values of the topics this sink reads. */
export type RedisSinkValue =
  | { readonly type: 'OrderState'; readonly value: OrderState }
  | { readonly type: 'FraudCounters'; readonly value: FraudCounters }
  | { readonly type: 'FraudAlert'; readonly value: FraudAlert };

export const REDIS_SINK_TOPICS = [TOPIC.orderState, TOPIC.fraudCounters, TOPIC.fraudAlerts] as const;

export const REDIS_REJECTION = {
  noKey: 'NO_KEY',
  keyMismatch: 'KEY_MISMATCH',
  unexpectedRecord: 'UNEXPECTED_RECORD',
  alertTombstone: 'TOMBSTONE',
} as const;

type Records = SinkRecord<RedisSinkValue>[];

/**
 * One script call's worth of work for one key. The values stay as decoded:
 * hash fields are only built for the operations a batch keeps (most states
 * of a busy order are folded into its newest one).
 */
export type RedisOp =
  | {
      readonly kind: 'put-order';
      readonly orderId: string;
      readonly customerId: string;
      readonly version: number;
      readonly paymentVersion: number;
      readonly state: OrderState;
      readonly records: Records;
    }
  | { readonly kind: 'delete-order'; readonly orderId: string; readonly records: Records }
  | { readonly kind: 'put-counters'; readonly customerId: string; readonly version: number; readonly counters: FraudCounters; readonly records: Records }
  | { readonly kind: 'delete-counters'; readonly customerId: string; readonly records: Records }
  | { readonly kind: 'add-alert'; readonly customerId: string; readonly alertId: string; readonly alert: FraudAlert; readonly records: Records };

type PutOp = Extract<RedisOp, { kind: 'put-order' | 'put-counters' }>;
type DeleteOp = Extract<RedisOp, { kind: 'delete-order' | 'delete-counters' }>;

/** What one key's records in a batch come to: an optional delete, then an optional put. */
interface KeySlot {
  delete?: DeleteOp;
  put?: PutOp;
  alert?: Extract<RedisOp, { kind: 'add-alert' }>;
  readonly records: Records;
}

export interface BatchPlan {
  readonly ops: RedisOp[];
  readonly rejected: RecordRejection[];
  /** Records that needed no operation of their own (folded into another of their key). */
  readonly collapsed: number;
}

/** Whether `a` is at least as new as `b` (same kind, same key). */
function isAtLeastAsNew(a: PutOp, b: PutOp): boolean {
  if (a.kind === 'put-order' && b.kind === 'put-order') {
    return a.version > b.version || (a.version === b.version && a.paymentVersion >= b.paymentVersion);
  }
  return a.version >= b.version;
}

export function planBatch(records: readonly SinkRecord<RedisSinkValue>[]): BatchPlan {
  const slots = new Map<string, KeySlot>();
  const rejected: RecordRejection[] = [];
  const slotFor = (id: string): KeySlot => {
    let slot = slots.get(id);
    if (!slot) slots.set(id, (slot = { records: [] }));
    return slot;
  };
  const where = (r: SinkRecord<RedisSinkValue>) => `${r.topic} partition ${r.partition} offset ${r.offset}`;

  for (const record of records) {
    const { key, value } = record;
    if (key === null) {
      rejected.push({ record, code: REDIS_REJECTION.noKey, message: `record at ${where(record)} has no key; ${record.catalogTopic} is keyed by its aggregate id` });
      continue;
    }
    const op = toOp(record, key, value, (code, message) => {
      rejected.push({ record, code, message });
      return undefined;
    });
    if (op === undefined) continue;
    // one namespace per topic: an order id and a customer id may coincide
    const slot = slotFor(op.kind === 'add-alert' ? `${record.catalogTopic}\u0000${key}\u0000${op.alertId}` : `${record.catalogTopic}\u0000${key}`);
    slot.records.push(record);
    if (op.kind === 'add-alert') {
      slot.alert ??= op; // same alertId, same alert: the first one stands for all
    } else if (op.kind === 'delete-order' || op.kind === 'delete-counters') {
      slot.delete = op;
      slot.put = undefined;
    } else if (slot.put === undefined || !isAtLeastAsNew(slot.put, op)) {
      slot.put = op;
    }
  }

  const ops: RedisOp[] = [];
  let applied = 0;
  for (const slot of slots.values()) {
    // every record of the key rides on the key's operations: a store refusal of the key rejects them all
    for (const op of [slot.delete, slot.put, slot.alert]) {
      if (op === undefined) continue;
      ops.push({ ...op, records: slot.records });
      applied += 1;
    }
  }
  const accepted = records.length - rejected.length;
  return { ops, rejected, collapsed: accepted - applied };
}

function toOp(
  record: SinkRecord<RedisSinkValue>,
  key: string,
  value: RedisSinkValue | null,
  refuse: (code: string, message: string) => undefined,
): RedisOp | undefined {
  const at = `${record.topic} partition ${record.partition} offset ${record.offset}`;
  switch (record.catalogTopic) {
    case TOPIC.orderState: {
      if (value === null) return { kind: 'delete-order', orderId: key, records: [] };
      if (value.type !== 'OrderState') return refuse(REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected OrderState`);
      const state = value.value;
      if (state.orderId !== key) return refuse(REDIS_REJECTION.keyMismatch, `OrderState at ${at} is order ${state.orderId} but its key is ${key}; the key must be the orderId`);
      return { kind: 'put-order', orderId: state.orderId, customerId: state.customerId, version: state.version, paymentVersion: state.paymentVersion, state, records: [] };
    }
    case TOPIC.fraudCounters: {
      if (value === null) return { kind: 'delete-counters', customerId: key, records: [] };
      if (value.type !== 'FraudCounters') return refuse(REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected FraudCounters`);
      const counters = value.value;
      if (counters.customerId !== key) {
        return refuse(REDIS_REJECTION.keyMismatch, `FraudCounters at ${at} are customer ${counters.customerId}'s but the key is ${key}; the key must be the customerId`);
      }
      return { kind: 'put-counters', customerId: key, version: counters.version, counters, records: [] };
    }
    case TOPIC.fraudAlerts: {
      if (value === null) return refuse(REDIS_REJECTION.alertTombstone, `${at} is a tombstone, but ${TOPIC.fraudAlerts} holds events that are never deleted`);
      if (value.type !== 'FraudAlert') return refuse(REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected FraudAlert`);
      const alert = value.value;
      if (alert.customerId !== key) {
        return refuse(REDIS_REJECTION.keyMismatch, `FraudAlert ${alert.alertId} at ${at} is about customer ${alert.customerId} but its key is ${key}; the key must be the customerId`);
      }
      return { kind: 'add-alert', customerId: key, alertId: alert.alertId, alert, records: [] };
    }
    default:
      return refuse(
        REDIS_REJECTION.unexpectedRecord,
        `the Redis sink does not materialize ${record.catalogTopic} (record at ${at}); it reads ${REDIS_SINK_TOPICS.join(', ')}`,
      );
  }
}
