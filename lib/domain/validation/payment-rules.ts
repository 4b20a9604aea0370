/**
 * Stateless rules of payments.events events. Rules that need the order
 * (payment in the order's currency, capture within what was authorized)
 * belong to the order aggregator.
 */
import type { PaymentEvent } from '../../../schemas/generated/types';
import { collect, knownCurrency, nonEmpty, positiveAmount } from './field-checks';
import type { Violation } from './violations';

export function checkPaymentEvent(event: PaymentEvent): Violation[] {
  const { type } = event;
  const money = [positiveAmount(`${type}.amountCents`, event.value.amountCents), knownCurrency(`${type}.currency`, event.value.currency)];
  switch (event.type) {
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
      // The fraud detector keys on the customer and counts cards by fingerprint.
      return collect(
        nonEmpty(`${type}.customerId`, event.value.customerId),
        nonEmpty(`${type}.paymentMethodId`, event.value.paymentMethodId),
        nonEmpty(`${type}.cardFingerprint`, event.value.cardFingerprint),
        ...money,
      );
    case 'PaymentCaptured':
    case 'RefundIssued':
      return collect(...money);
  }
}
