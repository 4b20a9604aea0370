/** Which topic a domain event belongs to, by its tag: payment events are the payments.events records. */
import type { OrderEvent, PaymentEvent } from '../../schemas/generated/types';

export function isPaymentEvent(event: OrderEvent | PaymentEvent): event is PaymentEvent {
  switch (event.type) {
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
    case 'PaymentCaptured':
    case 'RefundIssued':
      return true;
    default:
      return false;
  }
}
