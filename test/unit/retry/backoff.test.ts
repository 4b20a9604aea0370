import { backoffDelay, backoffSchedule, DEFAULT_BACKOFF } from '../../../lib/retry/backoff';

test('the default schedule doubles from 100 ms and stays at the 10 s cap', () => {
  expect(backoffSchedule(DEFAULT_BACKOFF, 10)).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
});

test('jitter only shortens a delay, by at most its share', () => {
  const policy = { ...DEFAULT_BACKOFF, jitter: 0.2 };
  expect(backoffDelay(policy, 3, () => 0)).toBe(800);
  expect(backoffDelay(policy, 3, () => 0.999999)).toBe(640);
  expect(backoffDelay(policy, 3, () => 0.5)).toBe(720);
});

test('a very long outage neither overflows nor exceeds the cap', () => {
  expect(backoffDelay({ ...DEFAULT_BACKOFF, jitter: 0 }, 10_000)).toBe(10_000);
});

test('a bad attempt number is refused with the value', () => {
  expect(() => backoffDelay(DEFAULT_BACKOFF, -1)).toThrow(/attempt must be a non-negative integer, got -1/);
});
