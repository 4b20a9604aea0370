/**
 * The order aggregator: folds each order's orders.events and payments.events
 * into OrderState, kept in a store whose changelog is the compacted
 * orders.state topic (the output is the changelog, as in Kafka Streams'
 * source-topic changelogs). Duplicates are skipped; gaps and forbidden
 * transitions go to the dead-letter topic with the fold's reason.
 *
 * The two input topics are co-partitioned but not ordered against each
 * other, so a payment can be consumed before its OrderPlaced: it is parked
 * (with its original bytes, in a store of its own) and folded when the
 * order arrives.
 */
import type { OrderState, PaymentEvent } from '../../schemas/generated/types';
import type { TopicNames } from '../../lib/topics';
import { avroStoreCodec, jsonStoreCodec, RecordCodec } from '../../lib/streaming/codec';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';
import type { InputRecord, ProcessorContext, ProcessorDefinition } from '../runtime/processor';
import { isPaymentEvent } from '../../lib/domain/event-kinds';
import { AggregateEvent, applyEvent } from '../../lib/domain/orders/fold';

export const ORDER_STATE_STORE = 'order-state';
export const PENDING_PAYMENTS_STORE = 'pending-payments';
/** A parked payment list longer than this means its order is not coming: the oldest is dead-lettered. */
export const MAX_PENDING_PAYMENTS = 100;

export const AGGREGATOR_REJECTION = {
  tombstone: 'TOMBSTONE',
  keyMismatch: 'KEY_MISMATCH',
  tooManyPending: 'TOO_MANY_PENDING_PAYMENTS',
} as const;

interface ParkedPayment {
  readonly event: PaymentEvent;
  readonly source: DeadLetterSource;
}

export function orderAggregator(topics: TopicNames, codec: RecordCodec, name = 'order-aggregator'): ProcessorDefinition<AggregateEvent> {
  return {
    name,
    inputs: [topics.orderEvents, topics.paymentEvents],
    outputs: [],
    tables: [],
    stores: [
      {
        kind: 'key-value',
        name: ORDER_STATE_STORE,
        changelogTopic: topics.orderState,
        codec: avroStoreCodec<OrderState>(codec, topics.orderState, 'OrderState'),
      },
      { kind: 'key-value', name: PENDING_PAYMENTS_STORE, changelogTopic: topics.pendingPayments, codec: jsonStoreCodec<ParkedPayment[]>() },
    ],
    process,
  };
}

function process(record: InputRecord<AggregateEvent>, ctx: ProcessorContext): void {
  const event = record.value;
  if (event === null) return ctx.reject(AGGREGATOR_REJECTION.tombstone, `${record.topic} holds events, not tombstones (key ${record.key})`);
  const { aggregateId } = event.value.envelope;
  if (record.key !== aggregateId) {
    return ctx.reject(
      AGGREGATOR_REJECTION.keyMismatch,
      `${event.type} ${event.value.envelope.eventId} has aggregateId ${aggregateId} but record key ${record.key}`,
    );
  }
  const states = ctx.keyValueStore<OrderState>(ORDER_STATE_STORE);
  const state = states.get(aggregateId) ?? null;

  if (state === null && isPaymentEvent(event)) return park(ctx, aggregateId, { event, source: record.source });

  const result = applyEvent(state, event);
  if (result.kind === 'rejected') return ctx.reject(result.rejection.code, result.rejection.message);
  if (result.kind === 'duplicate') return;
  let folded = result.state;
  if (state === null) folded = drainParked(ctx, aggregateId, folded);
  states.put(aggregateId, folded);
}

function park(ctx: ProcessorContext, orderId: string, payment: ParkedPayment): void {
  const pending = ctx.keyValueStore<ParkedPayment[]>(PENDING_PAYMENTS_STORE);
  const parked = pending.get(orderId) ?? [];
  if (parked.some((p) => p.event.value.envelope.eventId === payment.event.value.envelope.eventId)) return; // redelivered
  const next = [...parked, payment];
  if (next.length > MAX_PENDING_PAYMENTS) {
    const [oldest] = next.splice(0, 1);
    if (oldest) {
      ctx.rejectEarlier(
        oldest.source,
        AGGREGATOR_REJECTION.tooManyPending,
        `order ${orderId} never arrived; more than ${MAX_PENDING_PAYMENTS} payments parked for it`,
      );
    }
  }
  pending.put(orderId, next);
}

/** Folds the payments parked for a just-placed order, in their version order. */
function drainParked(ctx: ProcessorContext, orderId: string, placed: OrderState): OrderState {
  const pending = ctx.keyValueStore<ParkedPayment[]>(PENDING_PAYMENTS_STORE);
  const parked = pending.get(orderId);
  if (!parked) return placed;
  pending.delete(orderId);
  let state = placed;
  const ordered = [...parked].sort((a, b) => a.event.value.envelope.aggregateVersion - b.event.value.envelope.aggregateVersion);
  for (const { event, source } of ordered) {
    const result = applyEvent(state, event);
    if (result.kind === 'rejected') ctx.rejectEarlier(source, result.rejection.code, result.rejection.message);
    else state = result.state;
  }
  return state;
}
