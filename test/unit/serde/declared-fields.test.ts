import { parseAvroType } from '../../../lib/avro/options';
import { catalogRecordSet } from '../../../lib/registry/record-set';
import { declaredFieldsCheck } from '../../../lib/serde/declared-fields';
import { TOPIC } from '../../../lib/topics';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const placed = catalogRecordSet().byName(TOPIC.orderEvents, 'OrderPlaced')!.type;
const check = declaredFieldsCheck(placed);
const sample = SAMPLE_RECORDS.OrderPlaced;

describe('declared-fields check', () => {
  it('accepts a value whose records hold declared fields only', () => {
    expect(check(sample)).toBe(true);
  });

  it('refuses an undeclared field at the top, in a nested record and in an array item', () => {
    expect(check({ ...sample, coupon: 'X' })).toBe(false);
    expect(check({ ...sample, envelope: { ...sample.envelope, tenant: 't' } })).toBe(false);
    expect(check({ ...sample, items: [sample.items[0], { ...sample.items[1], colour: 'red' }] })).toBe(false);
  });

  it('refuses a record that is not an object', () => {
    expect(check('order')).toBe(false);
    expect(check({ ...sample, envelope: null })).toBe(false);
  });

  it('looks into union branches, maps and recursive records', () => {
    const tree = parseAvroType({
      type: 'record',
      name: 'Tree',
      fields: [
        { name: 'label', type: 'string' },
        { name: 'left', type: ['null', 'Tree'], default: null },
        { name: 'tags', type: { type: 'map', values: { type: 'record', name: 'Tag', fields: [{ name: 'v', type: 'int' }] } }, default: {} },
      ],
    });
    const treeCheck = declaredFieldsCheck(tree);
    expect(treeCheck({ label: 'a', left: { label: 'b', left: null }, tags: { x: { v: 1 } } })).toBe(true);
    expect(treeCheck({ label: 'a', left: { label: 'b', extra: 1 } })).toBe(false);
    expect(treeCheck({ label: 'a', tags: { x: { v: 1, w: 2 } } })).toBe(false);
  });
});
