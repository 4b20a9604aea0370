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

type RedisRecord = SinkRecord<RedisSinkValue>;
type OrderStateRecord = SinkRecord<Extract<RedisSinkValue, { type: 'OrderState' }>>;
type CountersRecord = SinkRecord<Extract<RedisSinkValue, { type: 'FraudCounters' }>>;
type AlertRecord = SinkRecord<Extract<RedisSinkValue, { type: 'FraudAlert' }>>;

/**
 * What one key's records in a batch come to: an optional delete, then an
 * optional put (the newest state after the delete), or an alert. Records
 * are kept rather than operations, which are built once per key at the end:
 * most records of a busy key are folded away and need none.
 */
interface KeySlot {
  readonly key: string;
  deleted: boolean;
  put?: OrderStateRecord | CountersRecord;
  alert?: AlertRecord;
  readonly records: Records;
}

export interface BatchPlan {
  readonly ops: RedisOp[];
  readonly rejected: RecordRejection[];
  /** Records that needed no operation of their own (folded into another of their key). */
  readonly collapsed: number;
}

/** Whether `candidate` is strictly newer than `current` (same topic, same key). */
function isNewer(candidate: OrderStateRecord | CountersRecord, current: OrderStateRecord | CountersRecord): boolean {
  const a = candidate.value?.value;
  const b = current.value?.value;
  if (a === undefined || b === undefined) return false;
  if ('paymentVersion' in a && 'paymentVersion' in b) return a.version > b.version || (a.version === b.version && a.paymentVersion > b.paymentVersion);
  return a.version > b.version;
}

function putOp(record: OrderStateRecord | CountersRecord, records: Records): RedisOp {
  const value = record.value as NonNullable<OrderStateRecord['value'] | CountersRecord['value']>;
  if (value.type === 'OrderState') {
    const state = value.value;
    return {
      kind: 'put-order',
      orderId: state.orderId,
      customerId: state.customerId,
      version: state.version,
      paymentVersion: state.paymentVersion,
      state,
      records,
    };
  }
  const counters = value.value;
  return { kind: 'put-counters', customerId: counters.customerId, version: counters.version, counters, records };
}

export function planBatch(records: readonly SinkRecord<RedisSinkValue>[]): BatchPlan {
  const slots = new Map<string, KeySlot>();
  const rejected: RecordRejection[] = [];
  const refuse = (record: RedisRecord, code: string, message: string): undefined => {
    rejected.push({ record, code, message });
    return undefined;
  };

  for (const record of records) {
    const { key } = record;
    if (key === null) {
      refuse(record, REDIS_REJECTION.noKey, `record at ${where(record)} has no key; ${record.catalogTopic} is keyed by its aggregate id`);
      continue;
    }
    const kind = kindOf(record, key, refuse);
    if (kind === undefined) continue;
    // one namespace per topic: an order id and a customer id may coincide
    const id =
      kind === 'add-alert' ? `${record.catalogTopic}\u0000${key}\u0000${(record as AlertRecord).value?.value.alertId}` : `${record.catalogTopic}\u0000${key}`;
    let slot = slots.get(id);
    if (!slot) slots.set(id, (slot = { key, deleted: false, records: [] }));
    slot.records.push(record);
    if (kind === 'add-alert') {
      slot.alert ??= record as AlertRecord; // same alertId, same alert: the first one stands for all
    } else if (kind === 'delete-order' || kind === 'delete-counters') {
      slot.deleted = true;
      slot.put = undefined;
    } else {
      const put = record as OrderStateRecord | CountersRecord;
      if (slot.put === undefined || isNewer(put, slot.put)) slot.put = put;
    }
  }

  const ops: RedisOp[] = [];
  for (const slot of slots.values()) {
    // every record of the key rides on the key's operations: a store refusal of the key rejects them all
    const first = slot.records[0] as RedisRecord;
    if (slot.deleted) {
      ops.push(
        first.catalogTopic === TOPIC.orderState
          ? { kind: 'delete-order', orderId: slot.key, records: slot.records }
          : { kind: 'delete-counters', customerId: slot.key, records: slot.records },
      );
    }
    if (slot.put) ops.push(putOp(slot.put, slot.records));
    if (slot.alert) {
      const alert = (slot.alert.value as NonNullable<AlertRecord['value']>).value;
      ops.push({ kind: 'add-alert', customerId: slot.key, alertId: alert.alertId, alert, records: slot.records });
    }
  }
  const accepted = records.length - rejected.length;
  return { ops, rejected, collapsed: accepted - ops.length };
}

const where = (r: RedisRecord) => `${r.topic} partition ${r.partition} offset ${r.offset}`;

/** Which operation a record asks for, or undefined when it is refused (bad data: a rejection is recorded). */
function kindOf(record: RedisRecord, key: string, refuse: (record: RedisRecord, code: string, message: string) => undefined): RedisOp['kind'] | undefined {
  const at = where(record);
  const value = record.value;
  switch (record.catalogTopic) {
    case TOPIC.orderState: {
      if (value === null) return 'delete-order';
      if (value.type !== 'OrderState') return refuse(record, REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected OrderState`);
      const state = value.value;
      if (state.orderId !== key)
        return refuse(record, REDIS_REJECTION.keyMismatch, `OrderState at ${at} is order ${state.orderId} but its key is ${key}; the key must be the orderId`);
      return 'put-order';
    }
    case TOPIC.fraudCounters: {
      if (value === null) return 'delete-counters';
      if (value.type !== 'FraudCounters') return refuse(record, REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected FraudCounters`);
      const counters = value.value;
      if (counters.customerId !== key) {
        return refuse(
          record,
          REDIS_REJECTION.keyMismatch,
          `FraudCounters at ${at} are customer ${counters.customerId}'s but the key is ${key}; the key must be the customerId`,
        );
      }
      return 'put-counters';
    }
    case TOPIC.fraudAlerts: {
      if (value === null)
        return refuse(record, REDIS_REJECTION.alertTombstone, `${at} is a tombstone, but ${TOPIC.fraudAlerts} holds events that are never deleted`);
      if (value.type !== 'FraudAlert') return refuse(record, REDIS_REJECTION.unexpectedRecord, `${at} holds a ${value.type}, expected FraudAlert`);
      const alert = value.value;
      if (alert.customerId !== key) {
        return refuse(
          record,
          REDIS_REJECTION.keyMismatch,
          `FraudAlert ${alert.alertId} at ${at} is about customer ${alert.customerId} but its key is ${key}; the key must be the customerId`,
        );
      }
      return 'add-alert';
    }
    default:
      return refuse(
        record,
        REDIS_REJECTION.unexpectedRecord,
        `the Redis sink does not materialize ${record.catalogTopic} (record at ${at}); it reads ${REDIS_SINK_TOPICS.join(', ')}`,
      );
  }
}
