import { TOPIC } from '../../../lib/topics';
import { Random } from '../../../producers/loadgen/random';
import type { DeadLetterSource } from '../../../lib/streaming/dead-letter';
import type { FraudCounters, OrderState } from '../../../schemas/generated/types';
import { planBatch, RedisSinkValue } from '../../../sinks/redis/plan-batch';
import type { SinkRecord } from '../../../sinks/runtime/sink-writer';
import { applyOps, emptyModel } from './redis-model';

let offset = 0;
function record(catalogTopic: string, key: string | null, value: RedisSinkValue | null): SinkRecord<RedisSinkValue> {
  offset += 1;
  const topic = `p.${catalogTopic}`;
  const source: DeadLetterSource = { topic, partition: 0, offset: String(offset), key: key === null ? null : Buffer.from(key), value: null, headers: {} };
  return { topic, catalogTopic, partition: 0, offset: String(offset), key, value, timestamp: 0, headers: {}, source };
}

function state(orderId: string, version: number, paymentVersion = 0, customerId = 'c-1'): OrderState {
  return {
    orderId,
    customerId,
    status: 'PLACED',
    items: [{ sku: 'S', quantity: 1, unitPriceCents: 100 }],
    totalCents: 100,
    currency: 'EUR',
    placedAt: new Date(1_700_000_000_000),
    confirmedAt: null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    carrier: null,
    trackingNumber: null,
    cancelReason: null,
    cancelledBy: null,
    paymentStatus: 'NONE',
    amountAuthorizedCents: 0,
    amountCapturedCents: 0,
    amountRefundedCents: 0,
    lastEventAt: new Date(1_700_000_000_000 + version * 1000 + paymentVersion),
    lastEventId: `e-${version}-${paymentVersion}`,
    version,
    paymentVersion,
  };
}

const orderRecord = (s: OrderState, key = s.orderId) => record(TOPIC.orderState, key, { type: 'OrderState', value: s });
const counters = (customerId: string, version: number): FraudCounters => ({
  customerId,
  counters: [],
  version,
  updatedAt: new Date(version),
  lastEventId: null,
});

test('one operation per key: the newest state, not the last one', () => {
  const plan = planBatch([orderRecord(state('o-1', 1)), orderRecord(state('o-1', 3)), orderRecord(state('o-1', 2)), orderRecord(state('o-2', 1))]);
  expect(plan.ops.map((op) => (op.kind === 'put-order' ? [op.orderId, op.version] : op.kind))).toEqual([
    ['o-1', 3],
    ['o-2', 1],
  ]);
  expect(plan.collapsed).toBe(2);
  expect(plan.rejected).toEqual([]);
  // every record of the key rides on its operation (a store refusal rejects them all)
  expect(plan.ops[0]!.records).toHaveLength(3);
});

test('payment versions order states of the same order version', () => {
  const plan = planBatch([orderRecord(state('o-1', 2, 3)), orderRecord(state('o-1', 2, 1))]);
  expect(plan.ops).toMatchObject([{ kind: 'put-order', version: 2, paymentVersion: 3 }]);
});

test('a tombstone in between: delete, then the states after it', () => {
  const plan = planBatch([orderRecord(state('o-1', 5)), record(TOPIC.orderState, 'o-1', null), orderRecord(state('o-1', 1))]);
  expect(plan.ops.map((op) => op.kind)).toEqual(['delete-order', 'put-order']);
  expect(plan.ops[1]).toMatchObject({ version: 1 });
});

test('bad records are refused with a reason naming the record', () => {
  const noKey = orderRecord(state('o-1', 1));
  const records = [
    { ...noKey, key: null },
    orderRecord(state('o-1', 1), 'o-2'),
    record(TOPIC.fraudCounters, 'c-2', { type: 'FraudCounters', value: counters('c-1', 1) }),
    record(TOPIC.fraudAlerts, 'c-1', null),
    record(TOPIC.customers, 'c-1', null),
  ];
  const plan = planBatch(records);
  expect(plan.ops).toEqual([]);
  expect(plan.rejected.map((r) => r.code)).toEqual(['NO_KEY', 'KEY_MISMATCH', 'KEY_MISMATCH', 'TOMBSTONE', 'UNEXPECTED_RECORD']);
  expect(plan.rejected[1]!.message).toMatch(/is order o-1 but its key is o-2; the key must be the orderId/);
  expect(plan.rejected[4]!.message).toMatch(/does not materialize customers/);
  expect(plan.rejected.map((r) => r.record)).toEqual(records);
});

test('order ids and customer ids live in separate namespaces', () => {
  const plan = planBatch([orderRecord(state('x', 1)), record(TOPIC.fraudCounters, 'x', { type: 'FraudCounters', value: counters('x', 1) })]);
  expect(plan.ops.map((op) => op.kind)).toEqual(['put-order', 'put-counters']);
});

test('planning a batch at once ends where applying its records one by one ends (random histories)', () => {
  const random = new Random(7);
  for (let round = 0; round < 300; round++) {
    const records: SinkRecord<RedisSinkValue>[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `k${random.int(1, 4)}`;
      const roll = random.next();
      if (roll < 0.1) records.push(record(TOPIC.orderState, id, null));
      else if (roll < 0.55) records.push(orderRecord(state(id, random.int(1, 5), random.int(0, 3), random.pick(['c-1', 'c-2']))));
      else if (roll < 0.6) records.push(record(TOPIC.fraudCounters, id, null));
      else if (roll < 0.85) records.push(record(TOPIC.fraudCounters, id, { type: 'FraudCounters', value: counters(id, random.int(1, 6)) }));
      else {
        const n = random.int(1, 30);
        records.push(
          record(TOPIC.fraudAlerts, id, {
            type: 'FraudAlert',
            value: {
              alertId: `a${n}`,
              customerId: id,
              rule: 'r',
              windowStart: new Date(0),
              windowEnd: new Date(1),
              observed: 1,
              threshold: 1,
              triggeringEventIds: [],
              detectedAt: new Date(n * 1000),
            },
          }),
        );
      }
    }
    const batched = emptyModel();
    applyOps(batched, planBatch(records).ops);
    const oneByOne = emptyModel();
    for (const r of records) applyOps(oneByOne, planBatch([r]).ops);
    expect(batched).toEqual(oneByOne);
  }
});
