import { AvroSchemaInput, parseAvroType } from '../../../lib/avro/options';
import { COMPATIBILITY_LEVELS, compatibilityRule } from '../../../lib/registry/compatibility-level';
import { describeIncompatibility, findIncompatibilities } from '../../../lib/registry/evaluate-compatibility';

function payment(fields: readonly object[]) {
  return parseAvroType({ type: 'record', name: 'Payment', namespace: 'com.streamfold.test', fields } as AvroSchemaInput);
}

const id = { name: 'id', type: 'string' };
const amount = { name: 'amountCents', type: 'long' };
const currency = { name: 'currency', type: 'string' };
const v1 = { version: 1, type: payment([id, amount, currency]) };
const v2 = { version: 2, type: payment([id, amount, currency, { name: 'channel', type: 'string', default: 'web' }]) };

describe('compatibility levels', () => {
  it('maps every level to directions and transitivity', () => {
    expect(COMPATIBILITY_LEVELS.map((level) => [level, compatibilityRule(level)])).toEqual([
      ['BACKWARD', { backward: true, forward: false, transitive: false }],
      ['BACKWARD_TRANSITIVE', { backward: true, forward: false, transitive: true }],
      ['FORWARD', { backward: false, forward: true, transitive: false }],
      ['FORWARD_TRANSITIVE', { backward: false, forward: true, transitive: true }],
      ['FULL', { backward: true, forward: true, transitive: false }],
      ['FULL_TRANSITIVE', { backward: true, forward: true, transitive: true }],
      ['NONE', { backward: false, forward: false, transitive: false }],
    ]);
  });
});

describe('findIncompatibilities', () => {
  it('accepts a new field with a default in every direction', () => {
    const v3 = payment([id, amount, currency, { name: 'channel', type: 'string', default: 'web' }, { name: 'note', type: ['null', 'string'], default: null }]);
    expect(findIncompatibilities('FULL_TRANSITIVE', v3, [v1, v2])).toEqual([]);
  });

  it('refuses a type change, naming the version and the field', () => {
    const next = payment([id, { name: 'amountCents', type: 'string' }, currency]);
    const found = findIncompatibilities('BACKWARD_TRANSITIVE', next, [v1, v2]);
    expect(found.map((f) => [f.version, f.direction])).toEqual([
      [1, 'backward'],
      [2, 'backward'],
    ]);
    expect(describeIncompatibility(found[0]!)).toMatch(/^the new schema cannot read data written with version 1: field amountCents: /);
  });

  it('checks only the latest version unless the level is transitive', () => {
    // Reads v2 (channel present) but not v1, where channel is missing and has no default.
    const next = payment([id, amount, currency, { name: 'channel', type: 'string' }]);
    expect(findIncompatibilities('BACKWARD', next, [v1, v2])).toEqual([]);
    expect(findIncompatibilities('BACKWARD_TRANSITIVE', next, [v1, v2]).map((f) => f.version)).toEqual([1]);
  });

  it('a field removed without a default passes BACKWARD but breaks FORWARD/FULL readers', () => {
    const next = payment([id, amount]);
    expect(findIncompatibilities('BACKWARD_TRANSITIVE', next, [v1])).toEqual([]);
    const [forward] = findIncompatibilities('FULL_TRANSITIVE', next, [v1]);
    expect(forward?.direction).toBe('forward');
    expect(describeIncompatibility(forward!)).toMatch(
      /^consumers still on version 1 cannot read data written with the new schema: field currency: the reader requires it \(no default\)/,
    );
  });

  it('checks nothing at level NONE', () => {
    expect(findIncompatibilities('NONE', payment([id]), [v1])).toEqual([]);
  });
});
