import { DEFAULT_FRAUD_RULES_CONFIG, applyActivity, fraudRulesConfig, rulesFor, windowSpecOf } from '../../../lib/domain/fraud/rules';
import { hoppingWindows, windowsFor } from '../../../lib/domain/windows';
import type { CustomerActivity } from '../../../schemas/generated/types';
import { CUSTOMER, Driver, HOUR, MINUTE, T0, activity } from './activities';

const config = DEFAULT_FRAUD_RULES_CONFIG;
const none = new Map();

describe('window assignment', () => {
  test('an order counts in every 1 h window hopping by 5 min that holds it', () => {
    const at = T0 + 7 * MINUTE;
    const result = applyActivity('order-count', none, activity('ORDER_PLACED', at), config, at);
    const expected = windowsFor(hoppingWindows(HOUR, 5 * MINUTE), at);
    expect(expected).toHaveLength(12);
    expect(result.changed.map((w) => w.window)).toEqual(expected);
    expect(result.changed[0]!.window).toEqual({ start: T0 + 10 * MINUTE - HOUR, end: T0 + 10 * MINUTE });
    expect(result.changed[11]!.window).toEqual({ start: T0 + 5 * MINUTE, end: T0 + 5 * MINUTE + HOUR });
    expect(result.changed.every((w) => w.aggregate.value === 1 && w.rule === 'order-count')).toBe(true);
  });

  test('each rule uses its own windows', () => {
    const at = T0 + 90 * 1000;
    const decline = activity('PAYMENT_DECLINED', at);
    expect(rulesFor(decline)).toEqual(['distinct-cards', 'declined-payments']);
    expect(applyActivity('declined-payments', none, decline, config, at).changed).toHaveLength(10);
    expect(applyActivity('distinct-cards', none, decline, config, at).changed).toHaveLength(24);
    expect(applyActivity('order-count', none, decline, config, at)).toEqual({
      rule: 'order-count',
      changed: [],
      alert: null,
      late: false,
      duplicates: 0,
      saturated: 0,
    });
  });

  test('rulesFor: orders feed the order rules, declines and authorizations the card rules', () => {
    expect(rulesFor(activity('ORDER_PLACED', T0))).toEqual(['order-count', 'order-amount']);
    expect(rulesFor(activity('PAYMENT_AUTHORIZED', T0))).toEqual(['distinct-cards']);
    expect(rulesFor(activity('PAYMENT_CAPTURED', T0))).toEqual([]);
  });
});

describe('late activities', () => {
  const spec = windowSpecOf(config, 'declined-payments');

  test('windows closed by stream time are skipped; the rest still count', () => {
    const at = T0;
    // Stream time 14 min later: windows ending by 9 min (+ 5 min grace) are closed.
    const streamTime = T0 + 14 * MINUTE;
    const result = applyActivity('declined-payments', none, activity('PAYMENT_DECLINED', at), config, streamTime);
    const open = windowsFor(spec, at).filter((w) => w.end + spec.graceMs > streamTime);
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThan(10);
    expect(result.changed.map((w) => w.window)).toEqual(open);
    expect(result.late).toBe(false);
  });

  test('an activity all of whose windows closed is late, and counted nowhere', () => {
    const streamTime = T0 + 10 * MINUTE + spec.graceMs;
    const result = applyActivity('declined-payments', none, activity('PAYMENT_DECLINED', T0), config, streamTime);
    expect(result).toMatchObject({ late: true, changed: [], alert: null });
  });

  test('within the grace period it still counts', () => {
    const streamTime = T0 + 10 * MINUTE + spec.graceMs - 1;
    const result = applyActivity('declined-payments', none, activity('PAYMENT_DECLINED', T0), config, streamTime);
    expect(result.late).toBe(false);
    expect(result.changed.map((w) => w.window)).toEqual([{ start: T0, end: T0 + 10 * MINUTE }]);
  });
});

describe('one alert per customer, rule and window', () => {
  test('three declines in 10 minutes: one alert, naming the rule, window, value, threshold and events', () => {
    const driver = new Driver();
    const declines = [0, 2, 4].map((m) => activity('PAYMENT_DECLINED', T0 + m * MINUTE));
    expect(driver.push(declines[0]!)).toEqual([]);
    expect(driver.push(declines[1]!)).toEqual([]);
    const [alert, ...more] = driver.push(declines[2]!);
    expect(more).toEqual([]);
    // Six windows (starts T0-5m … T0) hold all three; the oldest is named.
    expect(alert).toMatchObject({
      customerId: CUSTOMER,
      rule: 'declined-payments',
      windowStart: new Date(T0 - 5 * MINUTE),
      windowEnd: new Date(T0 + 5 * MINUTE),
      observed: 3,
      threshold: 3,
      triggeringEventIds: declines.map((d) => d.eventId),
      detectedAt: new Date(T0 + 4 * MINUTE),
    });
    // Every window holding the trigger is marked, whether it reached 3 or not.
    const windows = driver.of('declined-payments');
    for (const w of windowsFor(windowSpecOf(config, 'declined-payments'), T0 + 4 * MINUTE)) {
      expect(windows.get(w.start)?.alerted).toBe(true);
    }
  });

  test('a sustained burst alerts again only on a threshold of new evidence, not on every event', () => {
    const driver = new Driver();
    // One order a minute for 15 minutes.
    const burst = Array.from({ length: 15 }, (_, i) => activity('ORDER_PLACED', T0 + i * MINUTE));
    const alerts = driver.pushAll(burst).filter((a) => a.rule === 'order-count');
    // The 5th order fires; windows starting after it (at T0+5m, T0+10m) fire once they hold 5 orders of their own.
    expect(alerts.map((a) => a.detectedAt.getTime())).toEqual([T0 + 4 * MINUTE, T0 + 9 * MINUTE, T0 + 14 * MINUTE]);
    expect(alerts.map((a) => a.windowStart.getTime())).toEqual([T0 - 55 * MINUTE, T0 + 5 * MINUTE, T0 + 10 * MINUTE]);
    expect(alerts.map((a) => a.observed)).toEqual([5, 5, 5]);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(3);
  });

  test('order-amount: the order that takes a day past 500,000 cents fires once', () => {
    const driver = new Driver();
    const orders = [200_000, 250_000, 60_000, 90_000].map((amountCents, i) => activity('ORDER_PLACED', T0 + i * 3 * HOUR, { amountCents }));
    const alerts = driver.pushAll(orders).filter((a) => a.rule === 'order-amount');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ observed: 510_000, threshold: 500_000, detectedAt: new Date(T0 + 6 * HOUR) });
    expect(alerts[0]!.windowEnd.getTime() - alerts[0]!.windowStart.getTime()).toBe(24 * HOUR);
  });

  test('distinct-cards: the third distinct card fires, repeated cards do not', () => {
    const driver = new Driver();
    const payments = [
      activity('PAYMENT_DECLINED', T0, { card: 'fp-a' }),
      activity('PAYMENT_AUTHORIZED', T0 + HOUR, { card: 'fp-a' }),
      activity('PAYMENT_DECLINED', T0 + 2 * HOUR, { card: 'fp-b' }),
      activity('PAYMENT_AUTHORIZED', T0 + 3 * HOUR, { card: 'fp-b' }),
    ];
    expect(driver.pushAll(payments).filter((a) => a.rule === 'distinct-cards')).toEqual([]);
    const third = activity('PAYMENT_AUTHORIZED', T0 + 4 * HOUR, { card: 'fp-c' });
    const alerts = driver.push(third);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'distinct-cards', observed: 3, threshold: 3 });
    expect(alerts[0]!.triggeringEventIds).toEqual([...payments, third].map((p) => p.eventId));
    expect(driver.push(activity('PAYMENT_AUTHORIZED', T0 + 5 * HOUR, { card: 'fp-d' }))).toEqual([]);
  });

  test('the alert names at most maxTriggeringEventIds events, the latest', () => {
    const cfg = fraudRulesConfig({ maxTriggeringEventIds: 2 });
    const driver = new Driver(cfg);
    const declines = [0, 1, 2].map((m) => activity('PAYMENT_DECLINED', T0 + m * MINUTE));
    const [alert] = driver.pushAll(declines).filter((a) => a.rule === 'declined-payments');
    expect(alert?.triggeringEventIds).toEqual([declines[1]!.eventId, declines[2]!.eventId]);
  });
});

describe('replays and duplicates', () => {
  const stream = (): CustomerActivity[] => [
    ...[0, 1, 2, 3].map((m) => activity('PAYMENT_DECLINED', T0 + m * MINUTE, { card: `fp-${m}` })),
    ...[0, 1, 2, 3, 4, 5].map((m) => activity('ORDER_PLACED', T0 + m * MINUTE, { amountCents: 100_000 })),
  ];

  test('redelivering every activity changes no window and raises no alert', () => {
    const driver = new Driver();
    const inputs = stream();
    const alerts = driver.pushAll(inputs);
    expect(alerts.map((a) => a.rule).sort()).toEqual(['declined-payments', 'distinct-cards', 'order-amount', 'order-count']);
    const before = driver.ruleWindows();
    driver.applications.length = 0;
    expect(driver.pushAll(inputs)).toEqual([]);
    expect(driver.ruleWindows()).toEqual(before);
    expect(driver.applications.every((a) => a.changed.length === 0 && a.duplicates > 0)).toBe(true);
  });

  test('a duplicate in the middle of a stream does not count twice', () => {
    const driver = new Driver();
    const [d1, d2] = [0, 1].map((m) => activity('PAYMENT_DECLINED', T0 + m * MINUTE));
    expect(driver.pushAll([d1!, d2!, d2!, d1!])).toEqual([]);
    expect(Math.max(...[...driver.of('declined-payments').values()].map((a) => a.value))).toBe(2);
  });

  test('replaying the log from empty state raises identical alerts', () => {
    const inputs = stream();
    const first = new Driver().pushAll(inputs);
    const second = new Driver().pushAll(inputs);
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(0);
  });
});
