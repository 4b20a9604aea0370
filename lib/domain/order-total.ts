/**
 * An order's total, the one formula the checkout, the validator and the fold
 * must agree on: the exact integer sum of quantity × unitPriceCents.
 */
import type { OrderItem } from '../../schemas/generated/types';

export function orderTotalCents(items: readonly OrderItem[]): number {
  let total = 0;
  for (const item of items) total += item.quantity * item.unitPriceCents;
  return total;
}
