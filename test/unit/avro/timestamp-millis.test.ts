import { Type } from 'avsc';
import { parseAvroType } from '../../../lib/avro/options';
import { TimestampMillisError, parseIsoTimestamp, toEpochMillis } from '../../../lib/avro/timestamp-millis';

const MS = Date.parse('2024-05-01T12:34:56.789Z');

const record = parseAvroType({
  type: 'record',
  name: 'Probe',
  namespace: 'test',
  fields: [
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'maybe', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
  ],
});

function roundTrip(value: unknown): unknown {
  return record.fromBuffer(record.toBuffer({ at: value, maybe: null })).at;
}

/** Paths and values avsc reports through errorHook, as a caller would see them. */
function invalidPaths(value: unknown): string[] {
  const paths: string[] = [];
  record.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
  return paths;
}

describe('timestamp-millis logical type', () => {
  it.each([
    ['a Date', new Date(MS)],
    ['epoch millis', MS],
    ['an ISO string in UTC', '2024-05-01T12:34:56.789Z'],
    ['an ISO string with an offset', '2024-05-01T14:34:56.789+02:00'],
    ['an ISO string with a basic offset', '2024-05-01T07:34:56.789-0500'],
  ])('encodes %s and decodes a Date', (_label, input) => {
    const decoded = roundTrip(input);
    expect(decoded).toBeInstanceOf(Date);
    expect((decoded as Date).getTime()).toBe(MS);
  });

  it('encodes as an Avro long of epoch millis, so other clients read it', () => {
    const plain = Type.forSchema({
      type: 'record',
      name: 'Probe',
      namespace: 'test',
      fields: [
        { name: 'at', type: 'long' },
        { name: 'maybe', type: ['null', 'long'], default: null },
      ],
    });
    expect(plain.fromBuffer(record.toBuffer({ at: new Date(MS), maybe: new Date(0) }))).toEqual({ at: MS, maybe: 0 });
  });

  it('handles dates before the epoch and fractional seconds of 1 to 3 digits', () => {
    expect(roundTrip(-1)).toEqual(new Date(-1));
    expect(parseIsoTimestamp('1969-12-31T23:59:59.5Z')).toBe(-500);
    expect(parseIsoTimestamp('2024-05-01T12:34:56Z')).toBe(Date.parse('2024-05-01T12:34:56Z'));
  });

  it('fills a nullable timestamp with null or a Date', () => {
    const decoded = record.fromBuffer(record.toBuffer({ at: MS, maybe: '2024-05-01T00:00:00Z' })) as { maybe: Date | null };
    expect(decoded.maybe).toEqual(new Date('2024-05-01T00:00:00Z'));
    expect(record.fromBuffer(record.toBuffer({ at: MS, maybe: null }))).toEqual({ at: new Date(MS), maybe: null });
  });

  it.each([
    ['a non-integer number', 1.5],
    ['NaN', Number.NaN],
    ['a number beyond the Date range', 9e15],
    ['an invalid Date', new Date('nope')],
    ['a string without a time zone', '2024-05-01T12:34:56'],
    ['a date without a time', '2024-05-01'],
    ['an impossible day', '2024-02-30T00:00:00Z'],
    ['hour 24', '2024-05-01T24:00:00Z'],
    ['sub-millisecond precision', '2024-05-01T12:34:56.7891Z'],
    ['a non-ISO date string', 'May 1, 2024 12:00 UTC'],
    ['an out-of-range offset', '2024-05-01T12:00:00+24:00'],
    ['a numeric string', '1714566896789'],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['an object', { ms: MS }],
    ['a bigint', BigInt(MS)],
  ])('rejects %s, naming the field', (_label, input) => {
    expect(() => toEpochMillis(input)).toThrow(TimestampMillisError);
    expect(invalidPaths({ at: input, maybe: null })).toEqual(['at']);
    expect(() => record.toBuffer({ at: input, maybe: null })).toThrow();
  });

  it('reports a bad nullable timestamp at its own path', () => {
    expect(invalidPaths({ at: MS, maybe: 'yesterday' })).toEqual(['maybe']);
  });

  it('accepts the leap day and rejects it in a common year', () => {
    expect(parseIsoTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoTimestamp('2023-02-29T00:00:00Z')).toBeUndefined();
  });

  it('reads data written as a plain long (schema without the annotation) as a Date', () => {
    const plainWriter = Type.forSchema('long');
    const reader = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });
    const resolver = reader.createResolver(plainWriter);
    expect(reader.fromBuffer(plainWriter.toBuffer(MS), resolver)).toEqual(new Date(MS));
  });

  it('reads data written by another timestamp-millis type, parsed with or without the logical type', () => {
    const reader = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });
    const withLogical = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });
    const withoutLogical = Type.forSchema({ type: 'long', logicalType: 'timestamp-millis' });
    for (const writer of [withLogical, withoutLogical]) {
      const buffer = writer.toBuffer(writer === withLogical ? new Date(MS) : MS);
      expect(reader.fromBuffer(buffer, reader.createResolver(writer))).toEqual(new Date(MS));
    }
  });

  it('refuses to read a string as a timestamp', () => {
    const reader = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });
    expect(() => reader.createResolver(Type.forSchema('string'))).toThrow(/cannot read/);
  });

  it('clones and compares through epoch millis', () => {
    const type = parseAvroType({ type: 'long', logicalType: 'timestamp-millis' });
    expect(type.clone(MS)).toEqual(new Date(MS));
    expect(type.compare(new Date(MS), MS + 1)).toBe(-1);
    expect(type.random()).toBeInstanceOf(Date);
  });
});
