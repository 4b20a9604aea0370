import { Random } from '../../../producers/loadgen/random';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function draws(seed: number, n = 20): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => random.nextUint32());
}

describe('Random', () => {
  it('is a function of its seed', () => {
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
    // Both halves of a seed above 2^32 count.
    expect(draws(2 ** 32 + 7)).not.toEqual(draws(7));
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => new Random(Number.NaN)).toThrow(RangeError);
  });

  it('stays in range', () => {
    const random = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const u = random.next();
      expect(u >= 0 && u < 1).toBe(true);
      const n = random.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });

  it('hits every value of a small range about equally', () => {
    const random = new Random(3);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[random.int(0, 3)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('samples distinct items', () => {
    const random = new Random(4);
    const picked = random.sample(['a', 'b', 'c', 'd', 'e'], 3);
    expect(new Set(picked).size).toBe(3);
    expect(random.sample(['a'], 3)).toEqual(['a']);
  });

  it('makes version 4 UUIDs that do not repeat', () => {
    const random = new Random(5);
    const ids = new Set<string>();
    for (let i = 0; i < 200_000; i++) {
      const id = random.uuid();
      if (i < 1000) expect(id).toMatch(UUID_V4);
      ids.add(id);
    }
    expect(ids.size).toBe(200_000);
  });
});
