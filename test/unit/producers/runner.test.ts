/**
 * The load generator runner on a simulated clock: sleeping advances time at
 * once, so rates and durations are checked without waiting.
 */
import { TOPIC } from '../../../lib/topics';
import type { OutgoingEvent } from '../../../producers/outgoing-event';
import { GeneratedRecord, generateLifecycles } from '../../../producers/loadgen/lifecycle';
import { EventSink, RunClock, RunProgress, planRun, runLoadgen } from '../../../producers/loadgen/runner';

const T0 = Date.parse('2026-01-10T12:00:00.000Z');
const FIXED_START = new Date('2024-05-01T00:00:00.000Z');

function simulatedClock(start = T0): RunClock & { slept: number } {
  let now = start;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
  return clock;
}

/** Records every event, checking it is not ahead of the clock by more than `maxLeadMs`. */
function recordingSink(clock: RunClock, maxLeadMs = Infinity): EventSink & { events: GeneratedRecord[]; aheadOfClock: number } {
  const sink = {
    events: [] as GeneratedRecord[],
    aheadOfClock: 0,
    publish: async (events: readonly OutgoingEvent[]) => {
      for (const event of events as readonly GeneratedRecord[]) {
        if (event.event.value.envelope.occurredAt.getTime() > clock.now() + maxLeadMs) sink.aheadOfClock++;
        sink.events.push(event);
      }
      return events.length;
    },
  };
  return sink;
}

const small = { customers: 20, seed: 11 };

describe('runLoadgen', () => {
  it('publishes exactly the generated stream of a count run, in order, and tallies it', async () => {
    const clock = simulatedClock();
    const sink = recordingSink(clock);
    const summary = await runLoadgen({ ...small, publisher: sink, orders: 40, start: FIXED_START, clock, chunkSize: 7 });
    const expected = [...generateLifecycles(planRun({ ...small, orders: 40, start: FIXED_START }, T0).overrides)];
    expect(sink.events.map((e) => e.event.value.envelope.eventId)).toEqual(expected.map((e) => e.event.value.envelope.eventId));
    expect(summary.events).toBe(expected.length);
    expect(summary.orders).toBe(40);
    expect(summary.stoppedBy).toBe('orders');
    expect(summary.byTopic[TOPIC.customers]).toBe(20);
    expect(Object.values(summary.byTopic).reduce((a, b) => a + b, 0)).toBe(expected.length);
    expect(summary.byType['OrderPlaced']).toBe(40);
    expect(summary.firstEventAt).toBe(FIXED_START.toISOString());
    expect(clock.slept).toBe(0); // no rate, all in the past: nothing waits
  });

  it('holds the target rate', async () => {
    const clock = simulatedClock();
    const sink = recordingSink(clock);
    const summary = await runLoadgen({ ...small, publisher: sink, orders: 300, rate: 500, start: FIXED_START, clock });
    // the bucket starts with a tenth of a second's worth
    const expectedMs = ((summary.events - 50) / 500) * 1000;
    expect(summary.elapsedMs).toBeGreaterThan(expectedMs - 15);
    expect(summary.elapsedMs).toBeLessThan(expectedMs + 15);
    expect(summary.eventsPerSecond).toBeGreaterThan(490);
  });

  it('stops a duration run at its deadline', async () => {
    const clock = simulatedClock();
    const sink = recordingSink(clock);
    const summary = await runLoadgen({ ...small, publisher: sink, durationMs: 4_000, rate: 250, start: FIXED_START, clock });
    expect(summary.stoppedBy).toBe('duration');
    expect(summary.elapsedMs).toBe(4_000);
    expect(summary.events).toBeGreaterThanOrEqual(4 * 250);
    expect(summary.events).toBeLessThanOrEqual(4 * 250 + 25 + 1);
  });

  it('live from now: no event is published ahead of the clock, and the events wait for their time', async () => {
    const clock = simulatedClock();
    const sink = recordingSink(clock, 0);
    const summary = await runLoadgen({ ...small, publisher: sink, orders: 30, start: 'now', maxLeadMs: 0, clock });
    expect(summary.plan.mode).toBe('live');
    expect(sink.aheadOfClock).toBe(0);
    expect(clock.slept).toBeGreaterThan(30 * 1000); // orders 2 s apart in event time, so in wall time too
  });

  it('auto ends a count run about now: nothing is ahead of the clock and nothing waits', async () => {
    const clock = simulatedClock();
    const sink = recordingSink(clock, 0);
    const summary = await runLoadgen({ ...small, publisher: sink, orders: 200, clock });
    expect(summary.plan.mode).toBe('ends-now');
    expect(sink.aheadOfClock).toBe(0);
    expect(clock.slept).toBe(0);
    // ends within the lookback's margins of now: the fraud windows, an hour
    expect(T0 - Date.parse(summary.lastEventAt!)).toBeLessThan(2 * 3_600_000);
  });

  it('stops on a signal and still publishes what it generated', async () => {
    const clock = simulatedClock();
    const controller = new AbortController();
    const sink = recordingSink(clock);
    const publish = sink.publish;
    sink.publish = async (events) => {
      if (sink.events.length >= 30) controller.abort();
      return publish(events);
    };
    const summary = await runLoadgen({
      ...small,
      publisher: sink,
      durationMs: 60_000,
      rate: 100,
      start: FIXED_START,
      clock,
      signal: controller.signal,
      chunkSize: 10,
    });
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.events).toBe(sink.events.length);
    expect(summary.events).toBeLessThan(60);
  });

  it('reports progress about once per interval, with a fraction and an ETA for a count run', async () => {
    const clock = simulatedClock();
    const progress: RunProgress[] = [];
    await runLoadgen({ ...small, publisher: recordingSink(clock), orders: 200, rate: 200, start: FIXED_START, clock, onProgress: (p) => progress.push(p) });
    expect(progress.length).toBeGreaterThanOrEqual(5);
    const middle = progress[Math.floor(progress.length / 2)]!;
    expect(middle.fraction).toBeGreaterThan(0.2);
    expect(middle.fraction).toBeLessThan(0.8);
    expect(middle.etaMs).toBeGreaterThan(0);
    expect(middle.rate).toBeGreaterThan(150);
    expect(middle.rate).toBeLessThan(250);
  });

  it('passes a publisher failure on', async () => {
    const clock = simulatedClock();
    const sink: EventSink = { publish: async () => Promise.reject(new Error('Kafka is down')) };
    await expect(runLoadgen({ ...small, publisher: sink, orders: 5, start: FIXED_START, clock })).rejects.toThrow('Kafka is down');
  });
});

describe('planRun', () => {
  it('warns when ordinary customers would order often enough to look like fraud', () => {
    const { plan } = planRun({ orders: 100, rate: 2000, customers: 5000, start: 'now' }, T0);
    expect(plan.warnings).toEqual([
      expect.stringMatching(
        /^each customer places ~221\.5 orders per hour of event time .* use --customers 1107693 or more, --order-interval 720ms or more, or --start auto/,
      ),
    ]);
    // by default the rate sets the pace, not the density
    expect(planRun({ orders: 100, rate: 2000, customers: 5000 }, T0).plan.warnings).toEqual([]);
  });

  it('needs a count or a duration, and checks them', () => {
    expect(() => planRun({}, T0)).toThrow('a load generator run needs orders (a count) or durationMs, or both');
    expect(() => planRun({ durationMs: 0 }, T0)).toThrow(/durationMs must be a number > 0/);
    expect(() => planRun({ orders: 10, customers: 0 }, T0)).toThrow(/loadgen option customers must be an integer ≥ 1/);
  });

  it('estimates the events of a count run', () => {
    expect(planRun({ orders: 1000, customers: 50 }, T0).plan.estimatedEvents).toBe(50 + 6500);
    expect(planRun({ durationMs: 1000 }, T0).plan.estimatedEvents).toBeNull();
  });
});
