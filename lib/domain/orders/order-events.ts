/**
 * Folds one orders.events event into an order's state: version gating on
 * `version`, the status table of transitions.ts, then the event's own rules.
 */
import type { OrderEvent, OrderPlaced, OrderState } from '../../../schemas/generated/types';
import { FoldResult, applied, duplicate, rejected } from './fold-result';
import { copyDate, stamp } from './event-stamp';
import { orderTotalCents } from '../order-total';
import { addLine, linesFrom, removeUnits } from './order-lines';
import { INITIAL_ORDER_STATUS, INITIAL_PAYMENT_STATUS, ORDER_TRANSITIONS, allows } from './transitions';
import { checkVersion } from './version-gate';

type OrderChange = Exclude<OrderEvent, { type: 'OrderPlaced' }>;

function place(event: { type: 'OrderPlaced'; value: OrderPlaced }): FoldResult {
  const placed = event.value;
  const { envelope } = placed;
  // OrderPlaced is always version 1 (OrderPlaced.avsc): a later one means the
  // order's first events are missing.
  if (envelope.aggregateVersion !== 1) {
    return rejected(null, event, 'VERSION_GAP', `expected version 1 for the first event of the order, got ${envelope.aggregateVersion}`);
  }
  const lines = linesFrom(placed.items);
  if (!lines.ok) return rejected(null, event, lines.code, lines.message);
  const total = orderTotalCents(lines.items);
  // The state's invariant is totalCents = sum of its lines; taking either
  // number when they disagree would hide a producer bug.
  if (total !== placed.totalCents) {
    return rejected(null, event, 'TOTAL_MISMATCH', `totalCents is ${placed.totalCents}, the items sum to ${total}`);
  }
  return applied({
    orderId: envelope.aggregateId,
    customerId: placed.customerId,
    status: INITIAL_ORDER_STATUS,
    items: lines.items,
    totalCents: total,
    currency: placed.currency,
    placedAt: copyDate(envelope.occurredAt),
    confirmedAt: null,
    shippedAt: null,
    deliveredAt: null,
    cancelledAt: null,
    carrier: null,
    trackingNumber: null,
    cancelReason: null,
    cancelledBy: null,
    paymentStatus: INITIAL_PAYMENT_STATUS,
    amountAuthorizedCents: 0,
    amountCapturedCents: 0,
    amountRefundedCents: 0,
    ...stamp(null, envelope),
    version: 1,
    paymentVersion: 0,
  });
}

/** The event's effect once gating and the status table let it through. */
function change(state: OrderState, event: OrderChange): FoldResult {
  const { envelope } = event.value;
  // the event's own fields, then one copy of the state with them (a hot path: one spread, not two)
  let own: Partial<OrderState>;
  const at = copyDate(envelope.occurredAt);
  switch (event.type) {
    case 'OrderItemAdded':
    case 'OrderItemRemoved': {
      const lines = event.type === 'OrderItemAdded' ? addLine(state.items, event.value.item) : removeUnits(state.items, event.value.sku, event.value.quantity);
      if (!lines.ok) return rejected(state, event, lines.code, lines.message);
      own = { items: lines.items, totalCents: orderTotalCents(lines.items) };
      break;
    }
    case 'OrderConfirmed':
      if (state.items.length === 0) return rejected(state, event, 'EMPTY_ORDER', 'every item was removed');
      own = { confirmedAt: at };
      break;
    case 'OrderShipped':
      own = { shippedAt: at, carrier: event.value.carrier, trackingNumber: event.value.trackingNumber };
      break;
    case 'OrderDelivered':
      own = { deliveredAt: at };
      break;
    case 'OrderCancelled':
      own = { cancelledAt: at, cancelReason: event.value.reason, cancelledBy: event.value.cancelledBy };
      break;
  }
  return applied({ ...state, status: ORDER_TRANSITIONS[event.type].to, ...stamp(state, envelope), version: envelope.aggregateVersion, ...own });
}

export function applyOrderEvent(state: OrderState | null, event: OrderEvent): FoldResult {
  const { envelope } = event.value;
  if (state === null) {
    if (event.type === 'OrderPlaced') return place(event);
    return rejected(null, event, 'NOT_PLACED', 'no OrderPlaced has been folded for this order');
  }
  if (envelope.aggregateId !== state.orderId) {
    return rejected(state, event, 'AGGREGATE_MISMATCH', `folded into the state of order ${state.orderId}`);
  }
  const version = checkVersion(state.version, envelope.aggregateVersion);
  if (version === 'duplicate') return duplicate(state);
  if (version === 'gap') {
    return rejected(state, event, 'VERSION_GAP', `expected order version ${state.version + 1}, got ${envelope.aggregateVersion}`);
  }
  if (event.type === 'OrderPlaced') return rejected(state, event, 'ALREADY_PLACED', `the order was placed at version 1`);
  const transition = ORDER_TRANSITIONS[event.type];
  if (!allows(transition, state.status)) {
    return rejected(state, event, 'TRANSITION_FORBIDDEN', `not allowed when the order is ${state.status} (allowed from ${transition.from.join(', ')})`);
  }
  return change(state, event);
}
