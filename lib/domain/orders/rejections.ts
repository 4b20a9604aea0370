/**
 * Why the fold refuses an event, declared once. The code is what the
 * aggregator puts in the dead-letter header and what tests match on; the
 * text is its meaning for whoever reads the DLQ. Each rejection also carries
 * a message about the specific event (see fold-result.ts).
 */
export const REJECTION_REASONS = {
  AGGREGATE_MISMATCH: 'The event belongs to another order than the state it was folded into.',
  VERSION_GAP: 'The event skips versions of its aggregate on its topic: an earlier event is missing.',
  NOT_PLACED: 'The event arrived for an order that has no OrderPlaced yet.',
  ALREADY_PLACED: 'A second OrderPlaced, with a new version, for an order that already exists.',
  TRANSITION_FORBIDDEN: "The order's status does not allow this event (see ORDER_TRANSITIONS).",
  PAYMENT_TRANSITION_FORBIDDEN: "The order's payment status does not allow this event (see PAYMENT_TRANSITIONS).",
  INVALID_QUANTITY: 'A quantity that is not a positive integer.',
  INSUFFICIENT_QUANTITY: 'More units of a sku removed than the order holds.',
  PRICE_CONFLICT: 'A sku already in the order was added at a different unit price; a line has one price.',
  TOTAL_MISMATCH: 'OrderPlaced.totalCents differs from the sum of its items.',
  EMPTY_ORDER: 'An order without items cannot be confirmed.',
  CURRENCY_MISMATCH: 'A payment in another currency than the order.',
  INVALID_AMOUNT: 'A payment amount that is not a positive integer number of cents.',
  CAPTURE_EXCEEDS_AUTHORIZED: 'More captured than authorized and not yet captured.',
  REFUND_EXCEEDS_CAPTURED: 'More refunded than captured and not yet refunded.',
} as const;

export type RejectionCode = keyof typeof REJECTION_REASONS;
