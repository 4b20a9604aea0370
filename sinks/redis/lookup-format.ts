/**
 * What scripts/lookup prints: an order, or a customer with recent orders,
 * fraud counters and alerts, as aligned text for people. Pure.
 */
import { isFraudRule } from '../../lib/domain/fraud/rule-names';
import { RULE_MEASURES } from '../../lib/domain/fraud/rule-measures';
import type { AlertView } from './alert-entry';
import type { CountersView } from './counters-hash';
import type { OrderView } from './order-hash';
import type { CustomerView, OrderSummary } from './read-model';

/** Cents as a decimal amount: every accepted currency has two decimals (lib/domain/currencies.ts). */
export function money(cents: number, currency?: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const text = `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return currency ? `${text} ${currency}` : text;
}

function table(rows: ReadonlyArray<readonly string[]>, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

export function formatOrder(order: OrderView, key: string): string {
  const rows: string[][] = [
    ['status', order.status],
    [
      'payment',
      `${order.paymentStatus}  authorized ${money(order.amountAuthorizedCents)}, captured ${money(order.amountCapturedCents)}, refunded ${money(order.amountRefundedCents)}`,
    ],
    ['customer', order.customerId],
    ['total', `${money(order.totalCents, order.currency)}  (${order.itemsCount} item${order.itemsCount === 1 ? '' : 's'})`],
    ['placed', order.placedAt],
  ];
  if (order.confirmedAt) rows.push(['confirmed', order.confirmedAt]);
  if (order.shippedAt) rows.push(['shipped', `${order.shippedAt}  ${order.carrier ?? ''} ${order.trackingNumber ?? ''}`.trimEnd()]);
  if (order.deliveredAt) rows.push(['delivered', order.deliveredAt]);
  if (order.cancelledAt) rows.push(['cancelled', `${order.cancelledAt}  by ${order.cancelledBy ?? '?'}: ${order.cancelReason ?? ''}`.trimEnd()]);
  rows.push(['last event', `${order.lastEventId} at ${order.lastEventAt}`]);
  rows.push(['version', `${order.version} (payments ${order.paymentVersion})`]);
  const lines = [`order ${order.orderId}  (${key})`, ...table(rows), '  items'];
  lines.push(
    ...table(
      order.items.map((item) => [item.sku, `${item.quantity} ×`, money(item.unitPriceCents)]),
      '    ',
    ),
  );
  return lines.join('\n');
}

function orderLine(order: OrderSummary): string[] {
  return [
    order.orderId,
    order.placedAt,
    order.status ?? '(deleted)',
    order.paymentStatus ?? '',
    order.totalCents === null ? '' : money(order.totalCents, order.currency ?? undefined),
  ];
}

/** A counter value with its rule's unit (amount rules count cents). */
function measured(rule: string, value: number): string {
  if (!isFraudRule(rule)) return String(value);
  const { unit } = RULE_MEASURES[rule];
  return unit === 'cents' ? `${money(value)} (amount)` : `${value} ${unit}`;
}

function countersLines(counters: CountersView | null): string[] {
  if (counters === null) return ['fraud counters: none'];
  const head = `fraud counters (version ${counters.version}, updated ${counters.updatedAt})`;
  if (counters.rules.length === 0) return [head, '  no open window'];
  return [head, ...table(counters.rules.map((r) => [r.rule, measured(r.rule, r.value), `${r.windowStart} – ${r.windowEnd}`]))];
}

function alertLines(alerts: readonly AlertView[]): string[] {
  if (alerts.length === 0) return ['recent alerts: none'];
  return [
    `recent alerts (${alerts.length}, newest first)`,
    ...table(alerts.map((a) => [a.detectedAt, a.rule, `${measured(a.rule, a.observed)} ≥ ${measured(a.rule, a.threshold)}`, a.alertId])),
  ];
}

export function formatCustomer(customer: CustomerView): string {
  const shown = customer.recentOrders.length;
  const ordersHead =
    customer.orderCount === 0 ? 'orders: none' : `orders (${customer.orderCount}${shown < customer.orderCount ? `, newest ${shown} shown` : ''})`;
  return [
    `customer ${customer.customerId}`,
    ordersHead,
    ...table(customer.recentOrders.map(orderLine)),
    ...countersLines(customer.counters),
    ...alertLines(customer.alerts),
  ].join('\n');
}
