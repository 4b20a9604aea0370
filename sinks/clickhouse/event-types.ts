/**
 * The event types of the two event topics and what each one says about an
 * order's status, as the order fold applies them (processors/order-aggregator),
 * for SQL that reads status out of the events table without folding.
 */
import type { OrderEvent, OrderStatus, PaymentEvent, PaymentStatus } from '../../schemas/generated/types';

export const ORDER_STATUS_AFTER: Readonly<Record<OrderEvent['type'], OrderStatus>> = {
  OrderPlaced: 'PLACED',
  OrderItemAdded: 'PLACED',
  OrderItemRemoved: 'PLACED',
  OrderConfirmed: 'CONFIRMED',
  OrderShipped: 'SHIPPED',
  OrderDelivered: 'DELIVERED',
  OrderCancelled: 'CANCELLED',
};

export const PAYMENT_STATUS_AFTER: Readonly<Record<PaymentEvent['type'], PaymentStatus>> = {
  PaymentAuthorized: 'AUTHORIZED',
  PaymentDeclined: 'DECLINED',
  PaymentCaptured: 'CAPTURED',
  RefundIssued: 'REFUNDED',
};

export const ORDER_EVENT_TYPES = Object.keys(ORDER_STATUS_AFTER) as ReadonlyArray<OrderEvent['type']>;
export const PAYMENT_EVENT_TYPES = Object.keys(PAYMENT_STATUS_AFTER) as ReadonlyArray<PaymentEvent['type']>;
