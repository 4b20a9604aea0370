/**
 * Folds one payments.events event into an order's payment fields: version
 * gating on `paymentVersion` (payments number their own events per order),
 * the payment status table of transitions.ts, then currency and amount rules.
 * The order's own status is never consulted; see transitions.ts for why.
 */
import type { OrderState, PaymentEvent } from '../../../schemas/generated/types';
import { FoldResult, applied, duplicate, rejected } from './fold-result';
import { stamp } from './event-stamp';
import { isPositiveInteger } from './order-lines';
import { PAYMENT_TRANSITIONS, allows } from './transitions';
import { checkVersion } from './version-gate';

/** The amount rule of each event: how much it may move at most, given the state. */
function amountCheck(state: OrderState, event: PaymentEvent): FoldResult | null {
  const amount = event.value.amountCents;
  if (!isPositiveInteger(amount)) {
    return rejected(state, event, 'INVALID_AMOUNT', `amountCents ${amount} is not a positive integer`);
  }
  if (event.type === 'PaymentCaptured') {
    const open = state.amountAuthorizedCents - state.amountCapturedCents;
    if (amount > open) {
      return rejected(state, event, 'CAPTURE_EXCEEDS_AUTHORIZED', `capturing ${amount} cents, ${open} authorized and not captured`);
    }
  }
  if (event.type === 'RefundIssued') {
    const open = state.amountCapturedCents - state.amountRefundedCents;
    if (amount > open) {
      return rejected(state, event, 'REFUND_EXCEEDS_CAPTURED', `refunding ${amount} cents, ${open} captured and not refunded`);
    }
  }
  return null;
}

function amounts(state: OrderState, event: PaymentEvent): Partial<OrderState> {
  const amount = event.value.amountCents;
  switch (event.type) {
    case 'PaymentAuthorized':
      return { amountAuthorizedCents: state.amountAuthorizedCents + amount };
    case 'PaymentDeclined':
      // A refusal moves no money; the status records it.
      return {};
    case 'PaymentCaptured':
      return { amountCapturedCents: state.amountCapturedCents + amount };
    case 'RefundIssued':
      return { amountRefundedCents: state.amountRefundedCents + amount };
  }
}

export function applyPaymentEvent(state: OrderState | null, event: PaymentEvent): FoldResult {
  const { envelope } = event.value;
  if (state === null) {
    // OrderState needs the order's customer, lines and placing time, which
    // only OrderPlaced has. Across the two topics a payment can be consumed
    // before its order: the runtime should hold it back and retry once the
    // order exists rather than dead-letter it (see the report of this fold).
    return rejected(null, event, 'NOT_PLACED', 'no OrderPlaced has been folded for this order yet');
  }
  if (envelope.aggregateId !== state.orderId) {
    return rejected(state, event, 'AGGREGATE_MISMATCH', `folded into the state of order ${state.orderId}`);
  }
  const version = checkVersion(state.paymentVersion, envelope.aggregateVersion);
  if (version === 'duplicate') return duplicate(state);
  if (version === 'gap') {
    return rejected(state, event, 'VERSION_GAP', `expected payment version ${state.paymentVersion + 1}, got ${envelope.aggregateVersion}`);
  }
  const transition = PAYMENT_TRANSITIONS[event.type];
  if (!allows(transition, state.paymentStatus)) {
    return rejected(
      state,
      event,
      'PAYMENT_TRANSITION_FORBIDDEN',
      `not allowed when the payment is ${state.paymentStatus} (allowed from ${transition.from.join(', ')})`,
    );
  }
  if (event.value.currency !== state.currency) {
    return rejected(state, event, 'CURRENCY_MISMATCH', `payment in ${event.value.currency}, the order is in ${state.currency}`);
  }
  const refused = amountCheck(state, event);
  if (refused !== null) return refused;
  return applied({
    ...state,
    ...amounts(state, event),
    paymentStatus: transition.to,
    ...stamp(state, envelope),
    paymentVersion: envelope.aggregateVersion,
  });
}
