import { parseAvroType } from '../../../lib/avro/options';
import { catalogRecordSet } from '../../../lib/registry/record-set';
import { describeIssues, findValueIssues, isValidValue } from '../../../lib/serde/value-issues';
import { TOPIC } from '../../../lib/topics';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';

const records = catalogRecordSet();
const placed = records.byName(TOPIC.orderEvents, 'OrderPlaced')!.type;
const state = records.byName(TOPIC.orderState, 'OrderState')!.type;

// an event as plain data whose fields a test may break in any way (the point is invalid values)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/**
 * A copy of the sample (envelope and items copied too) with one change;
 * loosely typed because the point is to break the type. Not structuredClone:
 * in jest's sandbox its Dates come from another realm and fail instanceof.
 */
function broken(change: (value: Loose) => void): unknown {
  const sample = SAMPLE_RECORDS.OrderPlaced;
  const copy: Loose = { ...sample, envelope: { ...sample.envelope }, items: sample.items.map((item) => ({ ...item })) };
  change(copy);
  return copy;
}

describe('value validation before encoding', () => {
  it('finds nothing wrong with a valid value', () => {
    expect(findValueIssues(placed, SAMPLE_RECORDS.OrderPlaced)).toEqual([]);
    expect(isValidValue(placed, SAMPLE_RECORDS.OrderPlaced)).toBe(true);
  });

  it('names every bad field by its path, with the reason', () => {
    const value = broken((v) => {
      delete v['envelope'].producer;
      v['envelope'].causationId = 5;
      v['items'][1].quantity = 1.5;
      v['totalCents'] = '6499';
    });
    expect(isValidValue(placed, value)).toBe(false);
    expect(findValueIssues(placed, value)).toEqual([
      { path: 'envelope.causationId', reason: 'expected one of: null | a string, got number 5' },
      { path: 'envelope.producer', reason: 'required, expected a string' },
      { path: 'items[1].quantity', reason: 'expected an int (32-bit integer), got number 1.5' },
      { path: 'totalCents', reason: 'expected a long (integer, at most 2^53 in magnitude), got string "6499"' },
    ]);
  });

  it("passes on the timestamp type's own explanation", () => {
    const value = broken((v) => {
      v['envelope'].occurredAt = '2024-05-01 12:00';
    });
    expect(describeIssues(findValueIssues(placed, value))).toBe(
      'envelope.occurredAt: timestamp-millis: string "2024-05-01 12:00" is not an ISO-8601 date-time with a time zone (e.g. 2024-05-01T12:00:00.000Z)',
    );
  });

  it('refuses undeclared (e.g. misspelt) fields, and still reports the problems inside', () => {
    const value = broken((v) => {
      v['totalCent'] = 1;
      v['items'][0].sku = null;
    });
    expect(findValueIssues(placed, value)).toEqual([
      { path: 'items[0].sku', reason: 'expected a string, got null' },
      {
        path: '',
        reason: 'field(s) totalCent not declared in com.streamfold.orders.OrderPlaced (declared: envelope, customerId, items, totalCents, currency)',
      },
    ]);
  });

  it('describes enums, nullable fields and a value that is not an object at all', () => {
    const sample = { ...SAMPLE_RECORDS.OrderState, status: 'LOST', carrier: 42 };
    expect(findValueIssues(state, sample)).toEqual([
      { path: 'status', reason: 'expected one of PLACED, CONFIRMED, SHIPPED, DELIVERED, CANCELLED, got string "LOST"' },
      { path: 'carrier', reason: 'expected one of: null | a string, got number 42' },
    ]);
    expect(findValueIssues(placed, null)).toEqual([{ path: '', reason: 'expected a com.streamfold.orders.OrderPlaced record (an object), got null' }]);
    expect(describeIssues(findValueIssues(placed, 'x'))).toMatch(/^\(value\): expected a com\.streamfold\.orders\.OrderPlaced record/);
  });

  it('accepts a missing field that has a default (the encoder writes the default)', () => {
    const type = parseAvroType({
      type: 'record',
      name: 'WithDefault',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'channel', type: 'string', default: 'web' },
      ],
    });
    expect(findValueIssues(type, { id: 'a' })).toEqual([]);
    expect(type.fromBuffer(type.toBuffer({ id: 'a' }))).toEqual({ id: 'a', channel: 'web' });
  });
});
