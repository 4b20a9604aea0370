/**
 * Where a load-generator run puts its events in event time (occurredAt),
 * relative to the wall clock. Two constraints pull apart:
 *
 * - Not ahead of the clock: the stateless validator rejects events more than
 *   5 minutes in the future, and event-time windows would run ahead.
 * - Realistic density: the fraud rules count a customer's orders per hour of
 *   EVENT time (5 orders in an hour alerts). At 2000 events/s of wall clock
 *   (~300 orders/s) and 5000 customers, event time that follows the clock
 *   has every customer ordering ~200 times an hour: every customer alerts.
 *
 * So by default event time is a realistic history that ENDS about now,
 * published faster than it happened:
 *
 * - `auto` (default): when the run's size is known (--orders, or --duration
 *   with --rate), it starts far enough back (lookbackMs) that its last event
 *   is about due when published, with orders at the generator's realistic
 *   interval (2 s); nothing waits for the clock and --rate sets the pace. A
 *   count run keeps the longest fraud window (1 h) in reserve for patterns
 *   that start near its end, so it typically ends up to an hour before now.
 *   Otherwise (a --duration without --rate) it is `now`.
 * - `now`: event time starts at the wall clock and follows it; an event is
 *   published once its occurredAt comes (within maxLeadMs). With --rate the
 *   order interval follows the rate, so event time keeps pace with the clock
 *   (dense: the runner warns when customers would look like fraud).
 * - a fixed Date: reproducible timestamps (tests, replays); events ahead of
 *   the clock still wait.
 *
 * Lifecycle delays (shipping takes hours, delivery days, returns weeks) are
 * compressed by lifecycleTimeScale for runs anchored to the clock, so an
 * order's life passes in seconds to minutes: otherwise a live stream would
 * hold every order open for weeks (memory) and a run ending now would start
 * weeks back. Fraud pattern windows are never scaled.
 */
import type { FraudOptions } from './options';
import { DEFAULT_LOADGEN_OPTIONS } from './options';

export type StartOption = 'auto' | 'now' | Date;

/** A day of an order's life in ten seconds: the longest lifecycle (~3 weeks) takes about 3.5 minutes. */
export const CLOCK_LIFECYCLE_TIME_SCALE = 1 / 8640;

/**
 * Mean events per order of the generator with default rates and fraud
 * (measured: 6.5; a unit test keeps it within 10%): turns an event rate
 * into an order interval and a count of orders into an event estimate.
 */
export const EVENTS_PER_ORDER = 6.5;

/**
 * Upper bound of an order's lifecycle before scaling, from the delays in
 * order-flow.ts (placed → declines and retries → shipped ≤ 36 h →
 * delivered ≤ 4 days → item returned ≤ 14 days); a unit test checks that no
 * generated order lasts longer.
 */
export const LIFECYCLE_SPAN_BOUND_MS = 21 * 24 * 3_600_000;

export interface TimingRequest {
  readonly start: StartOption;
  /** Infinity for a run without a count. */
  readonly orders: number;
  /** Undefined for a run without a deadline. */
  readonly durationMs: number | undefined;
  /** Target events per second; undefined: as fast as possible. */
  readonly rate: number | undefined;
  /** Customers published before the orders (they count against rate × duration). */
  readonly customers: number;
  /** Explicit mean gap between orders (event time). */
  readonly orderIntervalMs: number | undefined;
  readonly lifecycleTimeScale: number | undefined;
  readonly fraud: FraudOptions | undefined;
  /** Wall clock at the start of the run, epoch ms. */
  readonly nowMs: number;
}

export interface TimingPlan {
  readonly startTime: Date;
  readonly meanOrderIntervalMs: number;
  readonly lifecycleTimeScale: number;
  /** `live`: event time follows the clock; `ends-now`: a history ending about now; `fixed`: given start. */
  readonly mode: 'live' | 'ends-now' | 'fixed';
}

/** The longest unscaled window over which a fraud pattern spreads one flow's orders or payments. */
function longestFraudWindowMs(fraud: FraudOptions | undefined): number {
  const f = fraud ?? DEFAULT_LOADGEN_OPTIONS.fraud;
  const windows = [
    f.orderBurst.rate > 0 ? f.orderBurst.windowMs : 0,
    f.manyCards.rate > 0 ? f.manyCards.windowMs : 0,
    f.repeatedDeclines.rate > 0 ? f.repeatedDeclines.windowMs : 0,
  ];
  return Math.max(...windows);
}

/**
 * How far before now a run must start so that its last event is about due
 * when it is published, erring early. The orders' Poisson arrivals count in
 * full when the run publishes faster than event time passes; when the order
 * interval follows the clock, only their jitter counts. A run that publishes
 * its last orders' whole lifecycles (a count run) also needs the longest
 * fraud pattern window and the longest lifecycle after the last order; a run
 * cut by its duration never gets there.
 */
export function lookbackMs(
  orders: number,
  intervalMs: number,
  arrivalsFollowClock: boolean,
  lifecycleTimeScale: number,
  fraud: FraudOptions | undefined,
  withTail = true,
): number {
  const jitter = 3 * Math.sqrt(orders) * intervalMs;
  const arrivals = arrivalsFollowClock ? jitter : orders * intervalMs + jitter;
  const tail = withTail ? longestFraudWindowMs(fraud) + LIFECYCLE_SPAN_BOUND_MS * lifecycleTimeScale : 0;
  return Math.ceil(arrivals + tail);
}

export interface RunSize {
  /** Orders the run publishes at most. */
  readonly orders: number;
  /** What ends it: its count (all lifecycles complete) or rate × duration (cut at the deadline). */
  readonly boundBy: 'count' | 'duration';
}

/** The run's size when it can be known: its count, or what rate × duration leaves after the customers. */
export function expectedSize(request: Pick<TimingRequest, 'orders' | 'durationMs' | 'rate' | 'customers'>): RunSize | undefined {
  const byRate =
    request.durationMs !== undefined && request.rate !== undefined
      ? Math.max(0, Math.ceil(((request.rate * request.durationMs) / 1000 - request.customers) / EVENTS_PER_ORDER))
      : Infinity;
  if (byRate < request.orders) return { orders: byRate, boundBy: 'duration' };
  return Number.isFinite(request.orders) ? { orders: request.orders, boundBy: 'count' } : undefined;
}

export function planTiming(request: TimingRequest): TimingPlan {
  const { start } = request;
  const realistic = request.orderIntervalMs ?? DEFAULT_LOADGEN_OPTIONS.meanOrderIntervalMs;
  if (start instanceof Date) {
    const lifecycleTimeScale = request.lifecycleTimeScale ?? DEFAULT_LOADGEN_OPTIONS.lifecycleTimeScale;
    return { startTime: start, meanOrderIntervalMs: realistic, lifecycleTimeScale, mode: 'fixed' };
  }
  const lifecycleTimeScale = request.lifecycleTimeScale ?? CLOCK_LIFECYCLE_TIME_SCALE;
  const size = start === 'auto' ? expectedSize(request) : undefined;
  if (size !== undefined) {
    const lookback = lookbackMs(size.orders, realistic, false, lifecycleTimeScale, request.fraud, size.boundBy === 'count');
    return { startTime: new Date(request.nowMs - lookback), meanOrderIntervalMs: realistic, lifecycleTimeScale, mode: 'ends-now' };
  }
  // Live: with a rate, orders come as often as the rate needs, so event time keeps pace with the clock.
  const meanOrderIntervalMs =
    request.orderIntervalMs ?? (request.rate !== undefined ? (EVENTS_PER_ORDER * 1000) / request.rate : DEFAULT_LOADGEN_OPTIONS.meanOrderIntervalMs);
  return { startTime: new Date(request.nowMs), meanOrderIntervalMs, lifecycleTimeScale, mode: 'live' };
}

/**
 * Orders each customer places per hour of event time on average. Above one,
 * ordinary customers start to look like the order-burst fraud pattern (the
 * detector's default rule: 5 orders in an hour); the runner warns.
 */
export function ordersPerCustomerHour(meanOrderIntervalMs: number, customers: number): number {
  return 3_600_000 / meanOrderIntervalMs / customers;
}
