/**
 * Which event each status allows, declared once for order events and once
 * for payment events. The fold looks events up here; nothing else encodes
 * the lifecycle.
 *
 * Order status and payment status move independently: orders.events and
 * payments.events are two topics, and although they are co-partitioned by
 * orderId, nothing orders one topic's records against the other's when the
 * aggregator consumes both. A rule such as "confirm only after capture" would
 * make the folded state depend on which topic's batch came first, so replays
 * would not be deterministic. Such cross-topic rules belong to the services
 * that emit the events, not to the fold.
 */
import type { OrderEvent, OrderStatus, PaymentEvent, PaymentStatus } from '../../../schemas/generated/types';

export interface Transition<S extends string> {
  /** Statuses in which the event may be applied. */
  readonly from: readonly S[];
  /** Status after the event. */
  readonly to: S;
}

/** OrderPlaced creates the order; it has no "from" and is handled by the fold itself. */
export type OrderChangeType = Exclude<OrderEvent['type'], 'OrderPlaced'>;
export type PaymentEventType = PaymentEvent['type'];

export const INITIAL_ORDER_STATUS: OrderStatus = 'PLACED';
export const INITIAL_PAYMENT_STATUS: PaymentStatus = 'NONE';

export const ORDER_TRANSITIONS: { readonly [T in OrderChangeType]: Transition<OrderStatus> } = {
  // Lines change only while the order is open: a confirmed order is what the
  // merchant accepted and what was paid for.
  OrderItemAdded: { from: ['PLACED'], to: 'PLACED' },
  OrderItemRemoved: { from: ['PLACED'], to: 'PLACED' },
  OrderConfirmed: { from: ['PLACED'], to: 'CONFIRMED' },
  OrderShipped: { from: ['CONFIRMED'], to: 'SHIPPED' },
  OrderDelivered: { from: ['SHIPPED'], to: 'DELIVERED' },
  // "Cancelled before delivery" (OrderCancelled.avsc): a shipped parcel can
  // still be stopped or lost; DELIVERED and CANCELLED are terminal.
  OrderCancelled: { from: ['PLACED', 'CONFIRMED', 'SHIPPED'], to: 'CANCELLED' },
};

export const PAYMENT_TRANSITIONS: { readonly [T in PaymentEventType]: Transition<PaymentStatus> } = {
  // A declined attempt may be retried, with the same card or another one.
  PaymentAuthorized: { from: ['NONE', 'DECLINED'], to: 'AUTHORIZED' },
  PaymentDeclined: { from: ['NONE', 'DECLINED'], to: 'DECLINED' },
  // Captures and refunds may come in parts; the amounts bound them.
  PaymentCaptured: { from: ['AUTHORIZED', 'CAPTURED'], to: 'CAPTURED' },
  RefundIssued: { from: ['CAPTURED', 'REFUNDED'], to: 'REFUNDED' },
};

export function allows<S extends string>(transition: Transition<S>, status: S): boolean {
  return transition.from.includes(status);
}
