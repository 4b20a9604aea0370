/**
 * What the load generator can be asked for, with defaults. Everything the
 * output depends on is here, so equal options give identical streams.
 */

/** The injected fraud patterns, each with a named option block below. */
export const FRAUD_PATTERNS = ['orderBurst', 'manyCards', 'largeAmount', 'repeatedDeclines'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

/**
 * `rate` is the probability that a new flow of orders is this pattern rather
 * than an ordinary order; a pattern may hold several orders. `cancelRate` is
 * the share of the pattern's orders that fraud operations cancel.
 */
export interface FraudPatternBase {
  readonly rate: number;
  readonly cancelRate: number;
}

/** One customer places `orders` orders within `windowMs` (account takeover, reseller bots). */
export interface OrderBurstOptions extends FraudPatternBase {
  readonly orders: number;
  readonly windowMs: number;
}

/**
 * One customer places `cards` orders within `windowMs`, each paid with a card
 * never seen before (stolen cards); the payments follow within the orders'
 * lifecycle delays (minutes).
 */
export interface ManyCardsOptions extends FraudPatternBase {
  readonly cards: number;
  readonly windowMs: number;
}

/** One order of resellable luxury goods totalling at least `minCents`. */
export interface LargeAmountOptions extends FraudPatternBase {
  readonly minCents: number;
}

/** One order whose payment is declined `declines` times within `windowMs` (card testing). */
export interface RepeatedDeclinesOptions extends FraudPatternBase {
  readonly declines: number;
  readonly windowMs: number;
}

export interface FraudOptions {
  readonly orderBurst: OrderBurstOptions;
  readonly manyCards: ManyCardsOptions;
  readonly largeAmount: LargeAmountOptions;
  readonly repeatedDeclines: RepeatedDeclinesOptions;
}

/** Probabilities of the ordinary lifecycle's branches, per order. */
export interface LifecycleRates {
  /** Lines added or removed before confirmation. */
  readonly itemChange: number;
  /** A payment attempt declined. */
  readonly decline: number;
  /** The customer tries again after a decline (else the order is cancelled by the system). */
  readonly retryAfterDecline: number;
  /** The customer cancels before shipment. */
  readonly customerCancel: number;
  /** The merchant cancels a confirmed order (out of stock). */
  readonly merchantCancel: number;
  /** A delivered order gets a partial refund (an item returned). */
  readonly itemReturn: number;
}

export interface LoadgenOptions {
  /** Any safe integer; the same seed and options give the same stream. */
  readonly seed: number;
  /** Customers, each published once as a CustomerProfile before any order. */
  readonly customers: number;
  /** Orders to generate; Infinity for an endless stream (take what you need). */
  readonly orders: number;
  /** Event time of the customer profiles; orders follow it. */
  readonly startTime: Date;
  /** Mean event-time gap between two orders being placed (a Poisson arrival process). */
  readonly meanOrderIntervalMs: number;
  /**
   * Multiplies the delays inside an order's lifecycle (shipping takes hours,
   * delivery days, returns up to two weeks). Below 1 compresses lifecycles:
   * for a live stream whose event times must not run far ahead of the clock,
   * and for long streams, since the generator holds every order whose
   * lifecycle is still open (about 1.5 KB each: 200,000 orders 2 s apart
   * hold ~300 MB at scale 1, ~20 MB at 0.01). Fraud pattern windows are not
   * scaled: they are what a detector must see.
   */
  readonly lifecycleTimeScale: number;
  readonly rates: LifecycleRates;
  readonly fraud: FraudOptions;
}

export const DEFAULT_LOADGEN_OPTIONS: LoadgenOptions = {
  seed: 42,
  customers: 5_000,
  orders: 10_000,
  // Fixed rather than the current time, so the defaults alone are deterministic.
  startTime: new Date('2024-05-01T00:00:00.000Z'),
  meanOrderIntervalMs: 2_000,
  lifecycleTimeScale: 1,
  rates: {
    itemChange: 0.3,
    decline: 0.06,
    retryAfterDecline: 0.7,
    customerCancel: 0.04,
    merchantCancel: 0.01,
    itemReturn: 0.03,
  },
  fraud: {
    orderBurst: { rate: 0.002, cancelRate: 0.5, orders: 8, windowMs: 10 * 60_000 },
    manyCards: { rate: 0.002, cancelRate: 0.5, cards: 6, windowMs: 60 * 60_000 },
    largeAmount: { rate: 0.003, cancelRate: 0.3, minCents: 500_000 },
    repeatedDeclines: { rate: 0.003, cancelRate: 0.5, declines: 5, windowMs: 5 * 60_000 },
  },
};

/** Overrides of the defaults: any field at any depth may be left out. */
export interface LoadgenOverrides {
  readonly seed?: number;
  readonly customers?: number;
  readonly orders?: number;
  readonly startTime?: Date;
  readonly meanOrderIntervalMs?: number;
  readonly lifecycleTimeScale?: number;
  readonly rates?: Partial<LifecycleRates>;
  readonly fraud?: { readonly [P in FraudPattern]?: Partial<FraudOptions[P]> };
}

export class LoadgenOptionsError extends Error {
  override readonly name = 'LoadgenOptionsError';
}

function check(ok: boolean, path: string, value: unknown, expected: string): void {
  if (!ok) throw new LoadgenOptionsError(`loadgen option ${path} must be ${expected}, got ${String(value)}`);
}

const isRate = (n: number): boolean => Number.isFinite(n) && n >= 0 && n <= 1;
const isPositive = (n: number): boolean => Number.isFinite(n) && n > 0;
const isCount = (n: number, min: number): boolean => Number.isSafeInteger(n) && n >= min;

function validate(o: LoadgenOptions): void {
  check(Number.isSafeInteger(o.seed), 'seed', o.seed, 'a safe integer');
  check(isCount(o.customers, 1), 'customers', o.customers, 'an integer ≥ 1');
  check(o.orders === Infinity || isCount(o.orders, 0), 'orders', o.orders, 'an integer ≥ 0 or Infinity');
  check(o.startTime instanceof Date && !Number.isNaN(o.startTime.getTime()), 'startTime', o.startTime, 'a valid Date');
  check(isPositive(o.meanOrderIntervalMs), 'meanOrderIntervalMs', o.meanOrderIntervalMs, 'a positive number');
  check(isPositive(o.lifecycleTimeScale), 'lifecycleTimeScale', o.lifecycleTimeScale, 'a positive number');
  for (const [name, rate] of Object.entries(o.rates)) check(isRate(rate), `rates.${name}`, rate, 'a probability in [0, 1]');
  let fraudTotal = 0;
  for (const pattern of FRAUD_PATTERNS) {
    const { rate, cancelRate } = o.fraud[pattern];
    check(isRate(rate), `fraud.${pattern}.rate`, rate, 'a probability in [0, 1]');
    check(isRate(cancelRate), `fraud.${pattern}.cancelRate`, cancelRate, 'a probability in [0, 1]');
    fraudTotal += rate;
  }
  // One draw picks at most one pattern per flow.
  check(fraudTotal <= 1, 'fraud.*.rate', fraudTotal, 'rates summing to at most 1');
  const { orderBurst, manyCards, largeAmount, repeatedDeclines } = o.fraud;
  check(isCount(orderBurst.orders, 2), 'fraud.orderBurst.orders', orderBurst.orders, 'an integer ≥ 2');
  check(isCount(orderBurst.windowMs, 1), 'fraud.orderBurst.windowMs', orderBurst.windowMs, 'an integer ≥ 1');
  check(isCount(manyCards.cards, 2), 'fraud.manyCards.cards', manyCards.cards, 'an integer ≥ 2');
  check(isCount(manyCards.windowMs, 1), 'fraud.manyCards.windowMs', manyCards.windowMs, 'an integer ≥ 1');
  check(isCount(largeAmount.minCents, 1), 'fraud.largeAmount.minCents', largeAmount.minCents, 'an integer ≥ 1');
  check(isCount(repeatedDeclines.declines, 1), 'fraud.repeatedDeclines.declines', repeatedDeclines.declines, 'an integer ≥ 1');
  // Declines are at least 1 ms apart, so the window must fit them.
  check(
    isCount(repeatedDeclines.windowMs, repeatedDeclines.declines),
    'fraud.repeatedDeclines.windowMs',
    repeatedDeclines.windowMs,
    `an integer ≥ fraud.repeatedDeclines.declines (${repeatedDeclines.declines})`,
  );
}

/** Defaults overlaid with `overrides`, validated; a bad value throws a LoadgenOptionsError naming the option. */
export function resolveLoadgenOptions(overrides: LoadgenOverrides = {}): LoadgenOptions {
  const d = DEFAULT_LOADGEN_OPTIONS;
  const f = overrides.fraud ?? {};
  const options: LoadgenOptions = {
    seed: overrides.seed ?? d.seed,
    customers: overrides.customers ?? d.customers,
    orders: overrides.orders ?? d.orders,
    startTime: overrides.startTime ?? d.startTime,
    meanOrderIntervalMs: overrides.meanOrderIntervalMs ?? d.meanOrderIntervalMs,
    lifecycleTimeScale: overrides.lifecycleTimeScale ?? d.lifecycleTimeScale,
    rates: { ...d.rates, ...overrides.rates },
    fraud: {
      orderBurst: { ...d.fraud.orderBurst, ...f.orderBurst },
      manyCards: { ...d.fraud.manyCards, ...f.manyCards },
      largeAmount: { ...d.fraud.largeAmount, ...f.largeAmount },
      repeatedDeclines: { ...d.fraud.repeatedDeclines, ...f.repeatedDeclines },
    },
  };
  validate(options);
  return options;
}

/** Every fraud pattern switched off: only ordinary lifecycles. */
export const NO_FRAUD: LoadgenOverrides['fraud'] = {
  orderBurst: { rate: 0 },
  manyCards: { rate: 0 },
  largeAmount: { rate: 0 },
  repeatedDeclines: { rate: 0 },
};
