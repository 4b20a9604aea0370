import { applyToView } from '../../../scripts/ops/compacted-view';

test('the last value of a key wins and a tombstone removes the key', () => {
  const view = new Map<string, number>();
  const log: Array<[string, number | null]> = [
    ['a', 1],
    ['b', 2],
    ['a', 3],
    ['b', null],
    ['c', 4],
    ['c', null],
    ['c', 5],
  ];
  for (const [key, value] of log) applyToView(view, key, value);
  expect([...view]).toEqual([
    ['a', 3],
    ['c', 5],
  ]);
});
