/**
 * Stateless rules of orders.events events: what one event must satisfy on
 * its own. Rules that need the order's history (a sku removed that the order
 * holds, a transition its status allows) belong to the order aggregator.
 */
import type { OrderEvent, OrderItem, OrderPlaced } from '../../../schemas/generated/types';
import { orderTotalCents } from '../order-total';
import { collect, knownCurrency, nonEmpty, nonNegativePrice, positiveQuantity } from './field-checks';
import { Violation, violation } from './violations';

function checkItem(path: string, item: OrderItem): Violation[] {
  return collect(
    nonEmpty(`${path}.sku`, item.sku),
    positiveQuantity(`${path}.quantity`, item.quantity),
    nonNegativePrice(`${path}.unitPriceCents`, item.unitPriceCents),
  );
}

function checkPlaced(placed: OrderPlaced): Violation[] {
  const version = placed.envelope.aggregateVersion;
  const violations = collect(
    // OrderPlaced.avsc: always version 1 of its order; a later one means the
    // producer lost track of the order (checkEnvelope covers version < 1).
    version > 1 ? violation('INVALID_VERSION', 'OrderPlaced.envelope.aggregateVersion', version, ', but OrderPlaced is always version 1') : null,
    nonEmpty('OrderPlaced.customerId', placed.customerId),
    knownCurrency('OrderPlaced.currency', placed.currency),
  );
  if (placed.items.length === 0) {
    violations.push(violation('NO_ITEMS', 'OrderPlaced.items', placed.items, ', an order needs at least one item'));
    return violations;
  }
  const itemViolations = placed.items.flatMap((item, i) => checkItem(`OrderPlaced.items[${i}]`, item));
  violations.push(...itemViolations);
  // A sum over invalid lines says nothing: report the lines, not a mismatch.
  if (itemViolations.length === 0) {
    const sum = orderTotalCents(placed.items);
    if (sum !== placed.totalCents) {
      violations.push(violation('TOTAL_MISMATCH', 'OrderPlaced.totalCents', placed.totalCents, ` but its items sum to ${sum}`));
    }
  }
  return violations;
}

export function checkOrderEvent(event: OrderEvent): Violation[] {
  switch (event.type) {
    case 'OrderPlaced':
      return checkPlaced(event.value);
    case 'OrderItemAdded':
      return checkItem('OrderItemAdded.item', event.value.item);
    case 'OrderItemRemoved':
      return collect(nonEmpty('OrderItemRemoved.sku', event.value.sku), positiveQuantity('OrderItemRemoved.quantity', event.value.quantity));
    case 'OrderConfirmed':
    case 'OrderShipped':
    case 'OrderDelivered':
    case 'OrderCancelled':
      // Nothing beyond the envelope: their fields are free text.
      return [];
  }
}
