/**
 * Arithmetic on an order's lines: one line per sku, quantities that add up
 * and come off (the total is lib/domain/order-total.ts). Pure: every
 * function returns new arrays and new line objects.
 */
import type { OrderItem } from '../../../schemas/generated/types';
import type { RejectionCode } from './rejections';

export type LinesResult =
  { readonly ok: true; readonly items: readonly OrderItem[] } | { readonly ok: false; readonly code: RejectionCode; readonly message: string };

export function isPositiveInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/** Adds units of a sku: a new line, or more of an existing line at the same price. */
export function addLine(items: readonly OrderItem[], item: OrderItem): LinesResult {
  if (!isPositiveInteger(item.quantity)) {
    return { ok: false, code: 'INVALID_QUANTITY', message: `sku ${item.sku}: quantity ${item.quantity} is not a positive integer` };
  }
  const existing = items.find((line) => line.sku === item.sku);
  if (existing === undefined) {
    return { ok: true, items: [...items, { sku: item.sku, quantity: item.quantity, unitPriceCents: item.unitPriceCents }] };
  }
  if (existing.unitPriceCents !== item.unitPriceCents) {
    return {
      ok: false,
      code: 'PRICE_CONFLICT',
      message: `sku ${item.sku} is in the order at ${existing.unitPriceCents} cents, added at ${item.unitPriceCents} cents`,
    };
  }
  return {
    ok: true,
    items: items.map((line) => (line.sku === item.sku ? { ...line, quantity: line.quantity + item.quantity } : line)),
  };
}

/** Merges lines the way successive adds would (OrderPlaced may list a sku twice). */
export function linesFrom(items: readonly OrderItem[]): LinesResult {
  let lines: readonly OrderItem[] = [];
  for (const item of items) {
    const next = addLine(lines, item);
    if (!next.ok) return next;
    lines = next.items;
  }
  return { ok: true, items: lines };
}

/** Takes units of a sku off; the line disappears when none are left. */
export function removeUnits(items: readonly OrderItem[], sku: string, quantity: number): LinesResult {
  if (!isPositiveInteger(quantity)) {
    return { ok: false, code: 'INVALID_QUANTITY', message: `sku ${sku}: quantity ${quantity} is not a positive integer` };
  }
  const held = items.find((line) => line.sku === sku)?.quantity ?? 0;
  if (quantity > held) {
    return { ok: false, code: 'INSUFFICIENT_QUANTITY', message: `removing ${quantity} of sku ${sku}, the order holds ${held}` };
  }
  const remaining = items.map((line) => (line.sku === sku ? { ...line, quantity: line.quantity - quantity } : line));
  return { ok: true, items: remaining.filter((line) => line.quantity > 0) };
}
