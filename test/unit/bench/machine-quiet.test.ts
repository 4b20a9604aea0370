import { busyShare, isQuiet } from '../../../lib/bench/machine-quiet';

describe('machine quiet', () => {
  const settings = { maxBusy: 0.15, quietSeconds: 3, timeoutSeconds: 90 };

  test('busy share is the non-idle part of the time that passed on all cores', () => {
    expect(busyShare({ busy: 100, total: 1000 }, { busy: 400, total: 3000 })).toBeCloseTo(0.15);
    expect(busyShare({ busy: 5, total: 10 }, { busy: 5, total: 10 })).toBe(0);
  });

  test('quiet takes enough quiet seconds in a row, the newest last', () => {
    expect(isQuiet([0.1, 0.1], settings)).toBe(false);
    expect(isQuiet([0.9, 0.1, 0.05, 0.15], settings)).toBe(true);
    expect(isQuiet([0.1, 0.1, 0.1, 0.4], settings)).toBe(false);
    expect(isQuiet([0.1, 0.4, 0.1, 0.1], settings)).toBe(false);
  });
});
