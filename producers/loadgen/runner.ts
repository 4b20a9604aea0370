/**
 * Streams the load generator into Kafka: generateLifecycles at a target
 * rate (token bucket; as fast as the publisher goes without one), for a
 * count of orders or a duration, never ahead of the clock in event time
 * (run-timing.ts), through a Publisher. Reports progress about once a
 * second and returns a summary.
 *
 *   const publisher = await createPublisher(config, logger);
 *   const summary = await runLoadgen({ publisher, orders: 1000, rate: 500 });
 *   await publisher.close();
 *
 * The publisher is the caller's (the end-to-end pipeline command shares one);
 * the clock is injectable, so pacing is tested without waiting.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { OutgoingEvent } from '../outgoing-event';
import { InFlightWindow, inFlightCallsFor } from '../in-flight-window';
import { GeneratedRecord, LoadgenOverrides, NO_FRAUD, generateLifecycles, resolveLoadgenOptions } from './lifecycle';
import { EVENTS_PER_ORDER, StartOption, TimingPlan, ordersPerCustomerHour, planTiming } from './run-timing';
import { TokenBucket } from './token-bucket';

/** What the runner publishes through: the Publisher, or a stand-in in tests. */
export interface EventSink {
  publish(events: readonly OutgoingEvent[]): Promise<number>;
}

export interface RunClock {
  /** Wall clock, epoch ms: compared with occurredAt. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: RunClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepFor(ms, undefined, { signal }).catch(() => undefined),
};

export interface LoadgenRunOptions {
  readonly publisher: EventSink;
  /** Orders to generate (their whole lifecycles are published); omit for a duration-only run. */
  readonly orders?: number;
  /** Stop after this long (ms), whatever is left. */
  readonly durationMs?: number;
  /** Target events per second; omit for as fast as possible. */
  readonly rate?: number;
  readonly seed?: number;
  readonly customers?: number;
  /** Inject the fraud patterns (default true). */
  readonly fraud?: boolean;
  /** See run-timing.ts; default 'auto'. */
  readonly start?: StartOption;
  readonly orderIntervalMs?: number;
  readonly lifecycleTimeScale?: number;
  /** How far ahead of the clock an event's occurredAt may be when published (default 5 s). */
  readonly maxLeadMs?: number;
  /** Stops the run early; what was generated so far is still flushed. */
  readonly signal?: AbortSignal;
  readonly clock?: RunClock;
  readonly progressIntervalMs?: number;
  readonly onProgress?: (progress: RunProgress) => void;
  /** Called once before the first event, with the event-time plan and any warnings. */
  readonly onPlan?: (plan: RunPlan) => void;
  /** Events per publish call (default 500). */
  readonly chunkSize?: number;
  /** Publish calls awaiting acknowledgement (default: enough to keep batches full, inFlightCallsFor). */
  readonly maxInFlight?: number;
}

export interface RunPlan extends TimingPlan {
  readonly seed: number;
  readonly customers: number;
  readonly fraud: boolean;
  readonly orders: number | null;
  readonly durationMs: number | null;
  readonly rate: number | null;
  /** Customers + orders × EVENTS_PER_ORDER for a count run; null for a duration-only run. */
  readonly estimatedEvents: number | null;
  readonly warnings: readonly string[];
}

export interface RunProgress {
  /** Events Kafka acknowledged. */
  readonly published: number;
  readonly elapsedMs: number;
  /** Acknowledged events per second since the previous report. */
  readonly rate: number;
  /** Fraction of the estimated events or of the duration, 0..1; null when neither is known. */
  readonly fraction: number | null;
  readonly etaMs: number | null;
  /** The next event is waiting for its event time (live runs). */
  readonly waitingForEventTime: boolean;
}

export type StopReason = 'orders' | 'duration' | 'signal';

export interface RunSummary {
  readonly events: number;
  /** OrderPlaced events published. */
  readonly orders: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly byTopic: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly targetRate: number | null;
  readonly stoppedBy: StopReason;
  /** occurredAt of the first and last events published; null when none was. */
  readonly firstEventAt: string | null;
  readonly lastEventAt: string | null;
  readonly plan: RunPlan;
}

const DEFAULT_MAX_LEAD_MS = 5_000;
/** Shorter waits are accumulated (the token bucket keeps the debt) rather than slept one by one. */
const MIN_SLEEP_MS = 10;

type RunSettings = Omit<LoadgenRunOptions, 'publisher'>;

function checkOptions(options: RunSettings): void {
  if (options.orders === undefined && options.durationMs === undefined) {
    throw new RangeError('a load generator run needs orders (a count) or durationMs, or both');
  }
  if (options.durationMs !== undefined && !(Number.isFinite(options.durationMs) && options.durationMs > 0)) {
    throw new RangeError(`durationMs must be a number > 0, got ${options.durationMs}`);
  }
  if (options.maxLeadMs !== undefined && !(Number.isFinite(options.maxLeadMs) && options.maxLeadMs >= 0)) {
    throw new RangeError(`maxLeadMs must be a number ≥ 0, got ${options.maxLeadMs}`);
  }
}

/** The run's event-time plan and the generator options it implies; throws a RangeError or LoadgenOptionsError naming a bad option. */
export function planRun(options: RunSettings, nowMs: number): { plan: RunPlan; overrides: LoadgenOverrides } {
  checkOptions(options);
  const fraud = options.fraud ?? true;
  const orders = options.orders ?? Infinity;
  // Resolved once without timing to read the defaults the plan builds on (and to fail early on a bad value).
  const base = resolveLoadgenOptions({
    seed: options.seed,
    customers: options.customers,
    orders,
    fraud: fraud ? undefined : NO_FRAUD,
  });
  const timing = planTiming({
    start: options.start ?? 'auto',
    orders,
    durationMs: options.durationMs,
    rate: options.rate,
    customers: base.customers,
    orderIntervalMs: options.orderIntervalMs,
    lifecycleTimeScale: options.lifecycleTimeScale,
    fraud: base.fraud,
    nowMs,
  });
  const overrides: LoadgenOverrides = {
    seed: base.seed,
    customers: base.customers,
    orders,
    startTime: timing.startTime,
    meanOrderIntervalMs: timing.meanOrderIntervalMs,
    lifecycleTimeScale: timing.lifecycleTimeScale,
    fraud: fraud ? undefined : NO_FRAUD,
  };
  resolveLoadgenOptions(overrides);
  const warnings: string[] = [];
  const perCustomerHour = ordersPerCustomerHour(timing.meanOrderIntervalMs, base.customers);
  if (perCustomerHour > 1) {
    const customersNeeded = Math.ceil(3_600_000 / timing.meanOrderIntervalMs);
    const intervalNeeded = Math.ceil(3_600_000 / base.customers);
    warnings.push(
      `each customer places ~${perCustomerHour.toFixed(1)} orders per hour of event time (an order every ${timing.meanOrderIntervalMs.toFixed(2)} ms among ${base.customers} customers), so ordinary customers will trip the order-count fraud rule; use --customers ${customersNeeded} or more, --order-interval ${intervalNeeded}ms or more, or --start auto (a history at a realistic density that ends now)`,
    );
  }
  const plan: RunPlan = {
    ...timing,
    seed: base.seed,
    customers: base.customers,
    fraud,
    orders: Number.isFinite(orders) ? orders : null,
    durationMs: options.durationMs ?? null,
    rate: options.rate ?? null,
    estimatedEvents: Number.isFinite(orders) ? Math.round(base.customers + orders * EVENTS_PER_ORDER) : null,
    warnings,
  };
  return { plan, overrides };
}

class Tally {
  events = 0;
  orders = 0;
  readonly byType: Record<string, number> = {};
  readonly byTopic: Record<string, number> = {};
  first: number | null = null;
  last: number | null = null;

  add(records: readonly GeneratedRecord[]): void {
    for (const record of records) {
      const at = record.event.value.envelope.occurredAt.getTime();
      // Records are acknowledged in generation order, which is event-time order.
      if (this.first === null) this.first = at;
      this.last = at;
      this.byType[record.event.type] = (this.byType[record.event.type] ?? 0) + 1;
      this.byTopic[record.topic] = (this.byTopic[record.topic] ?? 0) + 1;
      if (record.event.type === 'OrderPlaced') this.orders += 1;
    }
    this.events += records.length;
  }
}

export async function runLoadgen(options: LoadgenRunOptions): Promise<RunSummary> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const startedAt = clock.now();
  const { plan, overrides } = planRun(options, startedAt);
  options.onPlan?.(plan);

  const bucket = options.rate !== undefined ? new TokenBucket({ rate: options.rate, now: () => clock.now() }) : undefined;
  const maxLeadMs = options.maxLeadMs ?? DEFAULT_MAX_LEAD_MS;
  const deadline = options.durationMs !== undefined ? startedAt + options.durationMs : Infinity;
  const chunkSize = options.chunkSize ?? 500;
  const window = new InFlightWindow(options.maxInFlight ?? inFlightCallsFor(chunkSize));
  const tally = new Tally();
  const progressEvery = options.progressIntervalMs ?? 1000;
  let nextProgress = startedAt + progressEvery;
  let lastProgress = { at: startedAt, published: 0 };
  let waitingForEventTime = false;

  const reportProgress = (): void => {
    const now = clock.now();
    if (options.onProgress === undefined || now < nextProgress) return;
    nextProgress = now + progressEvery;
    const elapsedMs = now - startedAt;
    const rate = ((tally.events - lastProgress.published) * 1000) / Math.max(1, now - lastProgress.at);
    lastProgress = { at: now, published: tally.events };
    let fraction: number | null = null;
    let etaMs: number | null = null;
    if (plan.estimatedEvents !== null) {
      fraction = Math.min(1, tally.events / plan.estimatedEvents);
      const average = (tally.events * 1000) / Math.max(1, elapsedMs);
      etaMs = average > 0 ? ((plan.estimatedEvents - tally.events) / average) * 1000 : null;
    }
    if (plan.durationMs !== null) {
      const byTime = Math.min(1, elapsedMs / plan.durationMs);
      if (fraction === null || byTime > fraction) {
        fraction = byTime;
        etaMs = Math.max(0, plan.durationMs - elapsedMs);
      }
    }
    options.onProgress({ published: tally.events, elapsedMs, rate, fraction, etaMs: etaMs === null ? null : Math.max(0, etaMs), waitingForEventTime });
  };

  /** Sleeps in slices, so progress keeps coming and a stop or the deadline cuts the wait short. */
  const wait = async (ms: number): Promise<void> => {
    const until = Math.min(clock.now() + ms, deadline);
    for (let now = clock.now(); now < until && !options.signal?.aborted; now = clock.now()) {
      await clock.sleep(Math.min(until - now, progressEvery), options.signal);
      reportProgress();
    }
  };

  let chunk: GeneratedRecord[] = [];
  const submit = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const records = chunk;
    chunk = [];
    await window.add(options.publisher.publish(records).then(() => tally.add(records)));
  };

  let stoppedBy: StopReason = 'orders';
  const stream = generateLifecycles(overrides);
  for (;;) {
    if (options.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    if (clock.now() >= deadline) {
      stoppedBy = 'duration';
      break;
    }
    const next = stream.next();
    if (next.done) break;
    const record = next.value;
    const rateDelay = bucket?.reserve(1) ?? 0;
    const ahead = record.event.value.envelope.occurredAt.getTime() - maxLeadMs - clock.now();
    waitingForEventTime = ahead > rateDelay;
    // Rate waits may be batched (the bucket keeps the debt); an event ahead of the clock always waits.
    if (rateDelay >= MIN_SLEEP_MS || ahead > 0) {
      const delay = Math.max(rateDelay, ahead);
      // What is ready goes out before the pause, so a slow rate does not hold events back.
      await submit();
      await wait(delay);
      waitingForEventTime = false;
      if (options.signal?.aborted || clock.now() >= deadline) {
        stoppedBy = options.signal?.aborted ? 'signal' : 'duration';
        break;
      }
    }
    chunk.push(record);
    if (chunk.length >= chunkSize) await submit();
    reportProgress();
  }
  await submit();
  await window.drain();

  const elapsedMs = clock.now() - startedAt;
  return {
    events: tally.events,
    orders: tally.orders,
    byType: tally.byType,
    byTopic: tally.byTopic,
    elapsedMs,
    eventsPerSecond: elapsedMs > 0 ? (tally.events * 1000) / elapsedMs : 0,
    targetRate: options.rate ?? null,
    stoppedBy,
    firstEventAt: tally.first === null ? null : new Date(tally.first).toISOString(),
    lastEventAt: tally.last === null ? null : new Date(tally.last).toISOString(),
    plan,
  };
}
