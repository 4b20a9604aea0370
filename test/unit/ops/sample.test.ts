import { sample } from '../../../scripts/ops/sample';

describe('sample', () => {
  test('picks n distinct items of the input', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const picked = sample(items, 10);
    expect(picked).toHaveLength(10);
    expect(new Set(picked).size).toBe(10);
    expect(picked.every((i) => items.includes(i))).toBe(true);
  });

  test('all of them when n is larger; the input is left alone', () => {
    const items = Object.freeze(['a', 'b', 'c']);
    expect(sample(items, 10).sort()).toEqual(['a', 'b', 'c']);
  });

  test('follows the random source', () => {
    expect(sample([1, 2, 3, 4], 2, () => 0)).toEqual([1, 2]);
    expect(sample([1, 2, 3, 4], 2, () => 0.99)).toEqual([4, 1]);
  });
});
