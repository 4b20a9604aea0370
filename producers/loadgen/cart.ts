/**
 * The shopping cart of a generated order: random initial lines and random
 * changes that are valid by construction (one line per sku at its catalog
 * price, never removing more than held, never emptying the order). The fold
 * has its own line arithmetic; replaying generated streams through it checks
 * the two against each other.
 */
import type { OrderItem } from '../../schemas/generated/types';
import { PRODUCTS } from './catalog';
import type { Random } from './random';

export type CartChange = { readonly kind: 'add'; readonly item: OrderItem } | { readonly kind: 'remove'; readonly sku: string; readonly quantity: number };

export function randomLines(random: Random): OrderItem[] {
  return random.sample(PRODUCTS, random.int(1, 4)).map((p) => ({ sku: p.sku, quantity: random.int(1, 3), unitPriceCents: p.unitPriceCents }));
}

/** Units of a line that may go without emptying the order. */
function removable(lines: readonly OrderItem[], line: OrderItem): number {
  return lines.length > 1 ? line.quantity : line.quantity - 1;
}

export function randomChange(random: Random, lines: readonly OrderItem[]): CartChange {
  const candidates = lines.filter((line) => removable(lines, line) > 0);
  if (candidates.length > 0 && random.chance(0.4)) {
    const line = random.pick(candidates);
    return { kind: 'remove', sku: line.sku, quantity: random.int(1, removable(lines, line)) };
  }
  const fresh = PRODUCTS.filter((p) => !lines.some((line) => line.sku === p.sku));
  if (fresh.length > 0 && (lines.length === 0 || random.chance(0.6))) {
    const product = random.pick(fresh);
    return { kind: 'add', item: { sku: product.sku, quantity: random.int(1, 2), unitPriceCents: product.unitPriceCents } };
  }
  // More of something already in the cart, at the price it is in the cart at.
  const line = random.pick(lines);
  return { kind: 'add', item: { ...line, quantity: random.int(1, 2) } };
}

export function applyChange(lines: readonly OrderItem[], change: CartChange): OrderItem[] {
  if (change.kind === 'add') {
    const { item } = change;
    if (!lines.some((line) => line.sku === item.sku)) return [...lines, { ...item }];
    return lines.map((line) => (line.sku === item.sku ? { ...line, quantity: line.quantity + item.quantity } : line));
  }
  return lines.map((line) => (line.sku === change.sku ? { ...line, quantity: line.quantity - change.quantity } : line)).filter((line) => line.quantity > 0);
}
