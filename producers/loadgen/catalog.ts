/**
 * The made-up world the load generator draws from: countries and their
 * currencies, products and prices, carriers, decline reasons, names, and the
 * service names that appear as envelope producers.
 *
 * Prices are the same number of cents in every currency: a simplification
 * that keeps amounts comparable across customers (fraud amount thresholds
 * are in cents, whatever the currency).
 */
import type { Currency } from '../../lib/domain/currencies';

export interface Country {
  readonly code: string;
  readonly currency: Currency;
}

export const COUNTRIES: readonly Country[] = [
  { code: 'DE', currency: 'EUR' },
  { code: 'FR', currency: 'EUR' },
  { code: 'ES', currency: 'EUR' },
  { code: 'IT', currency: 'EUR' },
  { code: 'NL', currency: 'EUR' },
  { code: 'GB', currency: 'GBP' },
  { code: 'US', currency: 'USD' },
  { code: 'CH', currency: 'CHF' },
  { code: 'SE', currency: 'SEK' },
  { code: 'DK', currency: 'DKK' },
  { code: 'NO', currency: 'NOK' },
  { code: 'PL', currency: 'PLN' },
  { code: 'CA', currency: 'CAD' },
  { code: 'AU', currency: 'AUD' },
];

export interface Product {
  readonly sku: string;
  readonly unitPriceCents: number;
}

/** Everyday products: a normal order stays far below the large-amount threshold. */
export const PRODUCTS: readonly Product[] = [
  { sku: 'SKU-RED-MUG', unitPriceCents: 1250 },
  { sku: 'SKU-TEAPOT', unitPriceCents: 3999 },
  { sku: 'SKU-SPOON', unitPriceCents: 199 },
  { sku: 'SKU-COFFEE-1KG', unitPriceCents: 2490 },
  { sku: 'SKU-FRENCH-PRESS', unitPriceCents: 3450 },
  { sku: 'SKU-GRINDER', unitPriceCents: 8900 },
  { sku: 'SKU-KETTLE', unitPriceCents: 5499 },
  { sku: 'SKU-TOWEL', unitPriceCents: 1599 },
  { sku: 'SKU-CANDLE', unitPriceCents: 899 },
  { sku: 'SKU-NOTEBOOK', unitPriceCents: 599 },
  { sku: 'SKU-PEN-SET', unitPriceCents: 1899 },
  { sku: 'SKU-BACKPACK', unitPriceCents: 7900 },
  { sku: 'SKU-HEADPHONES', unitPriceCents: 12900 },
  { sku: 'SKU-SNEAKERS', unitPriceCents: 9995 },
  { sku: 'SKU-T-SHIRT', unitPriceCents: 1999 },
  { sku: 'SKU-SOCKS-3PK', unitPriceCents: 1299 },
  { sku: 'SKU-DESK-LAMP', unitPriceCents: 4599 },
  { sku: 'SKU-PLANT-POT', unitPriceCents: 1150 },
  { sku: 'SKU-CUTTING-BOARD', unitPriceCents: 2750 },
  { sku: 'SKU-WATER-BOTTLE', unitPriceCents: 1899 },
  { sku: 'SKU-YOGA-MAT', unitPriceCents: 3299 },
  { sku: 'SKU-BOARD-GAME', unitPriceCents: 4299 },
  { sku: 'SKU-PHONE-CASE', unitPriceCents: 1499 },
  { sku: 'SKU-USB-CABLE', unitPriceCents: 999 },
];

/** Resellable high-value goods, what fraudsters buy: only the large-amount pattern orders them. */
export const LUXURY_PRODUCTS: readonly Product[] = [
  { sku: 'SKU-LAPTOP-PRO', unitPriceCents: 289900 },
  { sku: 'SKU-GOLD-WATCH', unitPriceCents: 349900 },
  { sku: 'SKU-CAMERA-PRO', unitPriceCents: 199900 },
  { sku: 'SKU-GIFT-CARD-500', unitPriceCents: 50000 },
];

export const CARRIERS: readonly { readonly name: string; readonly trackingPrefix: string }[] = [
  { name: 'DHL', trackingPrefix: 'JD' },
  { name: 'UPS', trackingPrefix: '1Z' },
  { name: 'FedEx', trackingPrefix: 'FX' },
  { name: 'PostNL', trackingPrefix: '3S' },
  { name: 'Royal Mail', trackingPrefix: 'RM' },
];

export const DECLINE_REASONS: readonly string[] = ['insufficient_funds', 'do_not_honor', 'card_expired', 'incorrect_cvc', 'suspected_fraud'];

export const SEGMENTS: readonly { readonly name: string; readonly weight: number }[] = [
  { name: 'standard', weight: 0.75 },
  { name: 'silver', weight: 0.18 },
  { name: 'gold', weight: 0.07 },
];

export const FIRST_NAMES: readonly string[] = [
  'Ada',
  'Alan',
  'Grace',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Frances',
  'John',
  'Radia',
  'Tim',
  'Hedy',
  'Linus',
  'Sophie',
  'Niklaus',
  'Katherine',
  'Dennis',
  'Annie',
  'Bjarne',
];

export const LAST_NAMES: readonly string[] = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Allen',
  'McCarthy',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Torvalds',
  'Wilson',
  'Wirth',
  'Johnson',
  'Ritchie',
  'Easley',
  'Stroustrup',
];

/** Envelope `producer` of each kind of event: the service that would emit it. */
export const PRODUCERS = {
  accounts: 'accounts',
  checkout: 'checkout-api',
  payments: 'payment-gateway',
  orders: 'order-service',
  fulfillment: 'fulfillment',
  fraudOps: 'fraud-ops',
} as const;

/** OrderCancelled.cancelledBy values. */
export const CANCELLED_BY = {
  customer: 'customer',
  merchant: 'merchant',
  system: 'system',
  fraud: 'fraud-ops',
} as const;
