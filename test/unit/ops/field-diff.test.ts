import { diffFields, flattenRow, recordDifferences } from '../../../scripts/ops/field-diff';

describe('diffFields', () => {
  test('names each differing field, an absent one as null, in the expected order then the extras', () => {
    expect(diffFields({ a: '1', b: '2', c: '3' }, { c: '3', b: '20', d: '4' })).toEqual([
      { field: 'a', expected: '1', actual: null },
      { field: 'b', expected: '2', actual: '20' },
      { field: 'd', expected: null, actual: '4' },
    ]);
  });

  test('equal records have no difference', () => {
    expect(diffFields({ a: '1' }, { a: '1' })).toEqual([]);
  });
});

describe('flattenRow', () => {
  test('ClickHouse 18.16 (64-bit integers as strings) and current versions (numbers) flatten alike', () => {
    const old = { total_cents: '4498', item_unit_price_cents: ['1250', '1999'], version: 3, confirmed_at: null };
    const current = { total_cents: 4498, item_unit_price_cents: [1250, 1999], version: 3, confirmed_at: null };
    expect(flattenRow(old)).toEqual(flattenRow(current));
    expect(flattenRow(current)).toEqual({ total_cents: '4498', item_unit_price_cents: '["1250","1999"]', version: '3' });
  });

  test('leaves out the columns it is told to skip', () => {
    expect(flattenRow({ a: 1, kafka_offset: '7' }, ['kafka_offset'])).toEqual({ a: '1' });
  });
});

describe('recordDifferences', () => {
  test('a record on one side only is one difference of the whole-record field', () => {
    expect(recordDifferences('(x)', { a: '1' }, undefined)).toEqual([{ field: '(x)', expected: 'present', actual: null }]);
    expect(recordDifferences('(x)', undefined, { a: '1' })).toEqual([{ field: '(x)', expected: null, actual: 'present' }]);
    expect(recordDifferences('(x)', undefined, undefined)).toEqual([]);
  });

  test('records on both sides differ field by field', () => {
    expect(recordDifferences('(x)', { a: '1' }, { a: '2' })).toEqual([{ field: 'a', expected: '1', actual: '2' }]);
  });
});
