import { endOffsetsAt } from '../../../scripts/ops/read-bound';

test('offsets-for-times: a partition with a record at or after the time stops there; one without (-1) is read to its end', () => {
  const ends = endOffsetsAt(
    new Map([
      [0, 12],
      [1, -1],
      [2, 0],
    ]),
  );
  expect([...ends]).toEqual([
    [0, 12],
    [2, 0],
  ]);
});
