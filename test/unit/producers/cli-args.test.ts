import { UsageError } from '../../../lib/cli/cli';
import { parseBenchArgs } from '../../../producers/bench/bench-args';
import { parseProducerArgs } from '../../../producers/cli-args';
import { durationFlag, intFlag, onOffFlag, positiveNumberFlag } from '../../../lib/cli/flag-values';
import { parseLoadgenArgs } from '../../../producers/loadgen/run-args';

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('flag values', () => {
  it('reads durations in ms, s, m, h and bare seconds', () => {
    expect(durationFlag('duration', '500ms')).toBe(500);
    expect(durationFlag('duration', '60s')).toBe(60_000);
    expect(durationFlag('duration', '1.5m')).toBe(90_000);
    expect(durationFlag('duration', '2h')).toBe(7_200_000);
    expect(durationFlag('duration', '30')).toBe(30_000);
    expect(durationFlag('max-lead', '0s', { allowZero: true })).toBe(0);
  });

  it.each(['', 'soon', '-5s', '10 minutes', '0'])('names the flag for duration %j', (value) => {
    expect(usageError(() => durationFlag('duration', value)).message).toMatch(/^--duration must be a duration > 0 such as 500ms, 30s, 5m or 1h/);
  });

  it('reads integers with a minimum, numbers, on/off', () => {
    expect(intFlag('orders', '10_000', 1)).toBe(10_000);
    expect(usageError(() => intFlag('orders', '0', 1)).message).toBe('--orders must be an integer ≥ 1, got "0"');
    expect(usageError(() => intFlag('orders', '2.5', 1)).message).toBe('--orders must be an integer ≥ 1, got "2.5"');
    expect(positiveNumberFlag('rate', '2000')).toBe(2000);
    expect(usageError(() => positiveNumberFlag('rate', 'fast')).message).toBe('--rate must be a number > 0, got "fast"');
    expect(onOffFlag('fraud', 'OFF')).toBe(false);
    expect(usageError(() => onOffFlag('fraud', 'maybe')).message).toBe('--fraud must be on or off, got "maybe"');
  });
});

describe('producer CLI arguments', () => {
  it('defaults to stdin and TOPIC_PREFIX', () => {
    expect(parseProducerArgs([])).toEqual({ file: undefined, topic: undefined, prefix: undefined, json: false });
    expect(parseProducerArgs(['--file', '-']).file).toBeUndefined();
  });

  it('reads every flag', () => {
    expect(parseProducerArgs(['--file', 'e.jsonl', '--topic', 'orders.events', '--prefix', 'staging.', '--json'])).toEqual({
      file: 'e.jsonl',
      topic: 'orders.events',
      prefix: 'staging.',
      json: true,
    });
  });

  it.each<[string[], RegExp]>([
    [['--topic', 'orders'], /^--topic: unknown topic "orders"; use a catalog topic without prefix: orders\.events, payments\.events, customers/],
    [['--prefix', 'a b'], /^--prefix: "a b" may only contain letters, digits/],
    [['--file', ''], /^--file: empty path/],
    [['--fiel', 'x'], /Unknown option '--fiel'/],
    [['events.jsonl'], /^unexpected argument\(s\): events\.jsonl \(every option is a --flag\)$/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(usageError(() => parseProducerArgs(argv)).message).toMatch(message);
  });
});

describe('load generator arguments', () => {
  it('reads a count run', () => {
    expect(parseLoadgenArgs(['--orders', '1000', '--rate', '2000', '--seed', '7', '--customers', '50', '--fraud', 'off']).run).toEqual({
      orders: 1000,
      durationMs: undefined,
      rate: 2000,
      seed: 7,
      customers: 50,
      fraud: false,
      start: undefined,
      orderIntervalMs: undefined,
      lifecycleTimeScale: undefined,
      maxLeadMs: undefined,
    });
  });

  it('reads a duration run with timing flags', () => {
    const { run, prefix, json } = parseLoadgenArgs([
      '--duration',
      '60s',
      '--start',
      'now',
      '--order-interval',
      '720ms',
      '--time-scale',
      '1/1440',
      '--max-lead',
      '0s',
      '--prefix',
      'p.',
      '--json',
    ]);
    expect(run).toMatchObject({ durationMs: 60_000, start: 'now', orderIntervalMs: 720, maxLeadMs: 0 });
    expect(run.lifecycleTimeScale).toBeCloseTo(1 / 1440);
    expect([prefix, json]).toEqual(['p.', true]);
    expect(parseLoadgenArgs(['--orders', '5', '--start', '2024-05-01T00:00:00Z']).run.start).toEqual(new Date('2024-05-01T00:00:00Z'));
  });

  it.each<[string[], RegExp]>([
    [[], /^give --orders <n> \(a count\) or --duration <d> \(e\.g\. 60s\), or both$/],
    [['--orders', 'many'], /^--orders must be an integer ≥ 1, got "many"$/],
    [['--duration', '1 minute'], /^--duration must be a duration > 0/],
    [['--orders', '5', '--rate', '0'], /^--rate must be a number > 0, got "0"$/],
    [['--orders', '5', '--fraud', 'sometimes'], /^--fraud must be on or off/],
    [['--orders', '5', '--start', 'yesterday'], /^--start must be auto, now or an ISO-8601 time with a zone/],
    [['--orders', '5', '--start', '2024-05-01T00:00:00'], /^--start must be auto, now or an ISO-8601 time with a zone/],
    [['--orders', '5', '--time-scale', '1/0'], /^--time-scale must be a number > 0 or a fraction/],
    [['--orders', '5', '--max-lead', '10m'], /^--max-lead must be below 5m: the validator rejects events further ahead of its clock/],
    [['--orders', '5', '--customers', '0'], /^--customers must be an integer ≥ 1/],
  ])('refuses %j naming the flag', (argv, message) => {
    expect(usageError(() => parseLoadgenArgs(argv)).message).toMatch(message);
  });
});

describe('benchmark arguments', () => {
  it('has defaults and reads overrides', () => {
    expect(parseBenchArgs([])).toMatchObject({ events: 200_000, rounds: 5, out: 'bench-results/produce.json', keepTopics: false, json: false });
    expect(parseBenchArgs(['--events', '1000', '--batch-size', '500', '--out', '/tmp/x.json'])).toMatchObject({
      events: 1000,
      batchSize: 500,
      out: '/tmp/x.json',
    });
  });

  it('names a bad flag', () => {
    expect(usageError(() => parseBenchArgs(['--events=-1'])).message).toBe('--events must be an integer ≥ 1, got "-1"');
    expect(usageError(() => parseBenchArgs(['--rounds', 'x'])).message).toBe('--rounds must be an integer ≥ 1, got "x"');
  });
});
