/**
 * What the stateless validator reads: any event of orders.events or
 * payments.events (the two unions' tags do not overlap).
 */
import type { OrderEvent, PaymentEvent } from '../../../schemas/generated/types';

export type InputEvent = OrderEvent | PaymentEvent;
export type InputEventType = InputEvent['type'];
