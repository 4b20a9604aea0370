import { TOPIC } from '../../../lib/topics';
import { DEFAULT_LOADGEN_OPTIONS, generateLifecycles } from '../../../producers/loadgen/lifecycle';
import {
  CLOCK_LIFECYCLE_TIME_SCALE,
  EVENTS_PER_ORDER,
  LIFECYCLE_SPAN_BOUND_MS,
  expectedSize,
  lookbackMs,
  ordersPerCustomerHour,
  planTiming,
} from '../../../producers/loadgen/run-timing';

const NOW = Date.parse('2026-01-10T12:00:00.000Z');
const base = {
  orders: 1000,
  durationMs: undefined,
  rate: undefined,
  customers: 5000,
  orderIntervalMs: undefined,
  lifecycleTimeScale: undefined,
  fraud: undefined,
  nowMs: NOW,
};

describe('the generator facts the timing plan relies on', () => {
  const customers = 500;
  const orders = 4000;
  const records = [...generateLifecycles({ seed: 3, customers, orders })];

  it(`averages about ${EVENTS_PER_ORDER} events per order`, () => {
    const perOrder = (records.length - customers) / orders;
    expect(Math.abs(perOrder - EVENTS_PER_ORDER) / EVENTS_PER_ORDER).toBeLessThan(0.1);
  });

  it('never lets an order live longer than LIFECYCLE_SPAN_BOUND_MS (plus the declines window, which is not scaled)', () => {
    const placedAt = new Map<string, number>();
    let longest = 0;
    for (const r of records) {
      if (r.topic === TOPIC.customers) continue;
      const at = r.event.value.envelope.occurredAt.getTime();
      const start = placedAt.get(r.key);
      if (start === undefined) placedAt.set(r.key, at);
      else longest = Math.max(longest, at - start);
    }
    expect(longest).toBeGreaterThan(LIFECYCLE_SPAN_BOUND_MS / 3); // the bound is not absurdly loose
    expect(longest).toBeLessThanOrEqual(LIFECYCLE_SPAN_BOUND_MS + DEFAULT_LOADGEN_OPTIONS.fraud.repeatedDeclines.windowMs);
  });
});

describe('planTiming', () => {
  it('keeps a fixed start, with uncompressed lifecycles unless told otherwise', () => {
    const start = new Date('2024-05-01T00:00:00Z');
    expect(planTiming({ ...base, start })).toEqual({
      startTime: start,
      meanOrderIntervalMs: DEFAULT_LOADGEN_OPTIONS.meanOrderIntervalMs,
      lifecycleTimeScale: 1,
      mode: 'fixed',
    });
  });

  it('follows the clock from now, deriving the order interval from the rate', () => {
    const plan = planTiming({ ...base, start: 'now', rate: 2000 });
    expect(plan).toEqual({
      startTime: new Date(NOW),
      meanOrderIntervalMs: (EVENTS_PER_ORDER * 1000) / 2000,
      lifecycleTimeScale: CLOCK_LIFECYCLE_TIME_SCALE,
      mode: 'live',
    });
  });

  it('auto: a run of unknown size (a duration without a rate) is live', () => {
    expect(planTiming({ ...base, start: 'auto', orders: Infinity, durationMs: 60_000 }).mode).toBe('live');
  });

  it('auto: a count run is a realistic history that ends about now', () => {
    const plan = planTiming({ ...base, start: 'auto', orders: 1000, rate: 2000 });
    expect(plan.mode).toBe('ends-now');
    // the rate sets the publishing pace, not the event-time density
    expect(plan.meanOrderIntervalMs).toBe(DEFAULT_LOADGEN_OPTIONS.meanOrderIntervalMs);
    const lookback = lookbackMs(1000, DEFAULT_LOADGEN_OPTIONS.meanOrderIntervalMs, false, CLOCK_LIFECYCLE_TIME_SCALE, DEFAULT_LOADGEN_OPTIONS.fraud);
    expect(plan.startTime.getTime()).toBe(NOW - lookback);
    // arrivals (1000 × 2 s and their jitter), the manyCards window (1 h), the longest compressed lifecycle
    expect(lookback).toBe(Math.ceil(1000 * 2000 + 3 * Math.sqrt(1000) * 2000 + 3_600_000 + LIFECYCLE_SPAN_BOUND_MS * CLOCK_LIFECYCLE_TIME_SCALE));
  });

  it('auto: a duration with a rate is sized from rate × duration, less the customers, and needs no tail', () => {
    const request = { ...base, start: 'auto' as const, orders: Infinity, durationMs: 30_000, rate: 2000 };
    const orders = Math.ceil((60_000 - 5000) / EVENTS_PER_ORDER);
    expect(expectedSize(request)).toEqual({ orders, boundBy: 'duration' });
    expect(expectedSize({ ...request, orders: 100 })).toEqual({ orders: 100, boundBy: 'count' });
    expect(expectedSize({ ...request, rate: undefined })).toBeUndefined();
    const plan = planTiming(request);
    expect(plan.mode).toBe('ends-now');
    // cut at the deadline, the run never reaches the last orders' lifecycles: arrivals and their jitter only
    expect(NOW - plan.startTime.getTime()).toBe(Math.ceil(orders * 2000 + 3 * Math.sqrt(orders) * 2000));
  });

  it('an explicit order interval applies in every mode', () => {
    expect(planTiming({ ...base, start: 'auto', orderIntervalMs: 500 }).meanOrderIntervalMs).toBe(500);
    expect(planTiming({ ...base, start: 'now', rate: 2000, orderIntervalMs: 500 }).meanOrderIntervalMs).toBe(500);
  });

  it('ignores the windows of fraud patterns that are off', () => {
    const off = { ...DEFAULT_LOADGEN_OPTIONS.fraud, manyCards: { ...DEFAULT_LOADGEN_OPTIONS.fraud.manyCards, rate: 0 } };
    expect(lookbackMs(0, 1, false, 0, off)).toBe(DEFAULT_LOADGEN_OPTIONS.fraud.orderBurst.windowMs);
  });

  it('measures how often each customer orders', () => {
    expect(ordersPerCustomerHour(2000, 5000)).toBeCloseTo(0.36);
  });
});
