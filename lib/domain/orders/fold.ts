/**
 * The order aggregator's pure fold: an order's orders.events and
 * payments.events into the OrderState of orders.state. No I/O, no clock,
 * no mutation of its inputs, so replaying the same events gives the same
 * state and the processor's output can be checked against it.
 */
import { isPaymentEvent } from '../event-kinds';
import type { OrderEvent, OrderState, PaymentEvent } from '../../../schemas/generated/types';
import type { FoldResult, Rejection } from './fold-result';
import { applyOrderEvent } from './order-events';
import { applyPaymentEvent } from './payment-events';

export type { FoldResult, Rejection } from './fold-result';
export { REJECTION_REASONS } from './rejections';
export type { RejectionCode } from './rejections';
export { ORDER_TRANSITIONS, PAYMENT_TRANSITIONS } from './transitions';
export { applyOrderEvent } from './order-events';
export { applyPaymentEvent } from './payment-events';

/** Any event the aggregator folds; the tags of the two topics do not overlap. */
export type AggregateEvent = OrderEvent | PaymentEvent;

/** Folds one event of either topic. */
export function applyEvent(state: OrderState | null, event: AggregateEvent): FoldResult {
  return isPaymentEvent(event) ? applyPaymentEvent(state, event) : applyOrderEvent(state, event);
}

export interface OrderFold {
  /** Null when no OrderPlaced was applied. */
  readonly state: OrderState | null;
  /** Events not applied, in input order. */
  readonly rejections: readonly Rejection[];
  readonly applied: number;
  readonly duplicates: number;
}

/** Folds an order's events in the given order, from `initial` (no order by default). */
export function foldOrder(events: Iterable<AggregateEvent>, initial: OrderState | null = null): OrderFold {
  let state = initial;
  const rejections: Rejection[] = [];
  let applied = 0;
  let duplicates = 0;
  for (const event of events) {
    const result = applyEvent(state, event);
    state = result.state;
    if (result.kind === 'applied') applied += 1;
    else if (result.kind === 'duplicate') duplicates += 1;
    else rejections.push(result.rejection);
  }
  return { state, rejections, applied, duplicates };
}
