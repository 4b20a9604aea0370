import { checkExplicitOffsets, describeResetTarget, parseResetTarget, ResetTargetError } from '../../../lib/admin/reset-target';

test('earliest and latest', () => {
  expect(parseResetTarget('earliest')).toEqual({ kind: 'earliest' });
  expect(parseResetTarget(' latest ')).toEqual({ kind: 'latest' });
});

test('a time: ISO-8601 with a zone or epoch ms', () => {
  expect(parseResetTarget('2024-05-01T12:00:00Z')).toEqual({ kind: 'timestamp', ms: Date.UTC(2024, 4, 1, 12) });
  expect(parseResetTarget('2024-05-01T14:00:00.250+02:00')).toEqual({ kind: 'timestamp', ms: Date.UTC(2024, 4, 1, 12, 0, 0, 250) });
  expect(parseResetTarget('1714564800000')).toEqual({ kind: 'timestamp', ms: 1714564800000 });
});

test('a time without a zone is refused: it would depend on the machine', () => {
  expect(() => parseResetTarget('2024-05-01T12:00:00')).toThrow(ResetTargetError);
  expect(() => parseResetTarget('2024-05-01')).toThrow(/ISO-8601 with a zone/);
});

test('explicit offsets per partition', () => {
  const target = parseResetTarget('0:120,3:0');
  expect(target).toEqual({
    kind: 'offsets',
    offsets: new Map([
      [0, 120],
      [3, 0],
    ]),
  });
  expect(describeResetTarget(target)).toBe('0:120,3:0');
  expect(() => parseResetTarget('0:1,0:2')).toThrow('partition 0 is given twice');
  expect(() => parseResetTarget('0:-1')).toThrow(ResetTargetError);
  expect(() => parseResetTarget('soon')).toThrow(/cannot read "soon" as a reset target/);
});

test('explicit offsets must name existing partitions and lie within the log', () => {
  const ranges = [
    { partition: 0, low: 10, high: 50 },
    { partition: 1, low: 0, high: 0 },
  ];
  expect(() =>
    checkExplicitOffsets(
      't',
      new Map([
        [0, 10],
        [1, 0],
      ]),
      ranges,
    ),
  ).not.toThrow();
  expect(() => checkExplicitOffsets('t', new Map([[0, 50]]), ranges)).not.toThrow();
  expect(() => checkExplicitOffsets('t', new Map([[0, 9]]), ranges)).toThrow('offset 9 is outside t[0], which holds offsets 10 to 50');
  expect(() => checkExplicitOffsets('t', new Map([[0, 51]]), ranges)).toThrow(ResetTargetError);
  expect(() => checkExplicitOffsets('t', new Map([[2, 0]]), ranges)).toThrow('t has no partition 2 (partitions 0-1)');
});
