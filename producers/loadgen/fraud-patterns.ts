/**
 * The injected fraud patterns: which pattern (if any) a new flow of orders
 * follows, and the orders it consists of. Each pattern is shaped so that the
 * fraud detector's matching counter sees it within the pattern's window.
 */
import { COUNTRIES, LUXURY_PRODUCTS } from './catalog';
import { Customer, newCard } from './customers';
import type { FlowInput } from './order-flow';
import { FRAUD_PATTERNS, FraudPattern, LoadgenOptions } from './options';
import type { Random } from './random';

/** One draw decides: pattern p with probability fraud[p].rate, else an ordinary order (null). */
export function pickPattern(random: Random, options: LoadgenOptions): FraudPattern | null {
  let u = random.next();
  for (const pattern of FRAUD_PATTERNS) {
    const { rate } = options.fraud[pattern];
    if (u < rate) return pattern;
    u -= rate;
  }
  return null;
}

/** `count` start offsets in [0, windowMs), ascending: every start falls inside one window. */
function offsetsWithin(random: Random, count: number, windowMs: number): number[] {
  return Array.from({ length: count }, () => random.int(0, windowMs - 1)).sort((a, b) => a - b);
}

/** How many orders a pattern makes, so the generator can fall back to an ordinary order when fewer are left. */
export function patternSize(options: LoadgenOptions, pattern: FraudPattern): number {
  switch (pattern) {
    case 'orderBurst':
      return options.fraud.orderBurst.orders;
    case 'manyCards':
      return options.fraud.manyCards.cards;
    case 'largeAmount':
    case 'repeatedDeclines':
      return 1;
  }
}

/** The orders of one pattern occurrence starting at `startMs`, for a customer picked here. */
export function planPattern(random: Random, options: LoadgenOptions, pattern: FraudPattern, customers: readonly Customer[], startMs: number): FlowInput[] {
  const customer = random.pick(customers);
  switch (pattern) {
    case 'orderBurst': {
      const { orders, windowMs, cancelRate } = options.fraud.orderBurst;
      return offsetsWithin(random, orders, windowMs).map((offset) => ({
        orderId: random.uuid(),
        customer,
        startMs: startMs + offset,
        fraudCancelRate: cancelRate,
      }));
    }
    case 'manyCards': {
      const { cards, windowMs, cancelRate } = options.fraud.manyCards;
      // The orders start within the window and their payments follow within
      // minutes, so all the cards are used in well under the window plus an hour.
      return offsetsWithin(random, cards, windowMs).map((offset) => ({
        orderId: random.uuid(),
        customer,
        startMs: startMs + offset,
        // Cards from anywhere: stolen cards rarely match the customer's country.
        card: newCard(random, random.pick(COUNTRIES).code),
        fraudCancelRate: cancelRate,
      }));
    }
    case 'largeAmount': {
      const { minCents, cancelRate } = options.fraud.largeAmount;
      const product = random.pick(LUXURY_PRODUCTS);
      const quantity = Math.ceil(minCents / product.unitPriceCents) + random.int(0, 1);
      return [
        {
          orderId: random.uuid(),
          customer,
          startMs,
          lines: [{ sku: product.sku, quantity, unitPriceCents: product.unitPriceCents }],
          fraudCancelRate: cancelRate,
        },
      ];
    }
    case 'repeatedDeclines': {
      const { declines, windowMs, cancelRate } = options.fraud.repeatedDeclines;
      return [{ orderId: random.uuid(), customer, startMs, declines: { count: declines, windowMs }, fraudCancelRate: cancelRate }];
    }
  }
}
