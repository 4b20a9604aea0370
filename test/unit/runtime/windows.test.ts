import { hoppingWindows, isClosed, isExpired, retentionOf, tumblingWindows, windowsFor } from '../../../lib/domain/windows';

const HOUR = 3_600_000;
const MINUTE = 60_000;

test('a tumbling window holds each timestamp exactly once, aligned to the epoch', () => {
  const spec = tumblingWindows(10 * MINUTE);
  expect(windowsFor(spec, 25 * MINUTE)).toEqual([{ start: 20 * MINUTE, end: 30 * MINUTE }]);
  expect(windowsFor(spec, 20 * MINUTE)).toEqual([{ start: 20 * MINUTE, end: 30 * MINUTE }]);
  expect(windowsFor(spec, 20 * MINUTE - 1)).toEqual([{ start: 10 * MINUTE, end: 20 * MINUTE }]);
});

test('hopping windows: every window that contains the timestamp, oldest first', () => {
  const spec = hoppingWindows(HOUR, 15 * MINUTE);
  const at = 2 * HOUR + 20 * MINUTE;
  expect(windowsFor(spec, at)).toEqual([
    { start: HOUR + 30 * MINUTE, end: 2 * HOUR + 30 * MINUTE },
    { start: HOUR + 45 * MINUTE, end: 2 * HOUR + 45 * MINUTE },
    { start: 2 * HOUR, end: 3 * HOUR },
    { start: 2 * HOUR + 15 * MINUTE, end: 3 * HOUR + 15 * MINUTE },
  ]);
  for (const window of windowsFor(spec, at)) {
    expect(window.start <= at && at < window.end).toBe(true);
  }
});

test('size not a multiple of the advance still covers the timestamp', () => {
  const spec = hoppingWindows(25, 10);
  expect(windowsFor(spec, 37)).toEqual([
    { start: 20, end: 45 },
    { start: 30, end: 55 },
  ]);
});

test('a window closes after its end plus grace, and expires after retention', () => {
  const spec = tumblingWindows(10 * MINUTE, 2 * MINUTE);
  const window = { start: 0, end: 10 * MINUTE };
  expect(isClosed(spec, window, 11 * MINUTE)).toBe(false);
  expect(isClosed(spec, window, 12 * MINUTE)).toBe(true);
  const retention = retentionOf(spec);
  expect(retention).toBe(12 * MINUTE);
  expect(retentionOf(spec, MINUTE)).toBe(12 * MINUTE); // never shorter than size + grace
  expect(isExpired(window, 12 * MINUTE - 1, retention)).toBe(false);
  expect(isExpired(window, 12 * MINUTE, retention)).toBe(true);
});

test('bad specs are refused with the reason', () => {
  expect(() => hoppingWindows(10, 20)).toThrow(/no larger than the size/);
  expect(() => tumblingWindows(0)).toThrow(/positive integer/);
  expect(() => tumblingWindows(10, -1)).toThrow(/grace/);
});
