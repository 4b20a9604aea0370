import { formatProgress, progressOf } from '../../../scripts/rebuild-steps/progress';

test('progress counts, per partition, what the group committed between its start and the end', () => {
  const start = new Map([
    ['t:0', 0],
    ['t:1', 10],
  ]);
  const ends = new Map([
    ['t:0', 100],
    ['t:1', 60],
  ]);
  expect(progressOf(start, ends, new Map())).toEqual({ done: 0, total: 150 });
  expect(
    progressOf(
      start,
      ends,
      new Map([
        ['t:0', 40],
        ['t:1', 35],
      ]),
    ),
  ).toEqual({ done: 65, total: 150 });
  // committing past the end (records arrived meanwhile) counts as done, not more
  expect(
    progressOf(
      start,
      ends,
      new Map([
        ['t:0', 120],
        ['t:1', 60],
      ]),
    ),
  ).toEqual({ done: 150, total: 150 });
});

test('the line shows the bar, the share, the counts, the rate and the ETA', () => {
  expect(formatProgress({ done: 500, total: 2000, elapsedMs: 5000 })).toBe('[########......................]  25%  500/2,000 records  100/s  ETA 15s');
  expect(formatProgress({ done: 2000, total: 2000, elapsedMs: 4000 })).toMatch(/^\[#{30}\] 100% {2}2,000\/2,000 records {2}500\/s {2}done$/);
  expect(formatProgress({ done: 0, total: 0, elapsedMs: 0 })).toContain('100%');
  expect(formatProgress({ done: 0, total: 10, elapsedMs: 1000 })).toContain('ETA -');
});
