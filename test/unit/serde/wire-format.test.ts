import { DecodeError } from '../../../lib/serde/decode-error';
import { HEADER_SIZE, decodeWireFormat, encodeWireFormat } from '../../../lib/serde/wire-format';

function decodeError(buffer: Buffer): DecodeError {
  try {
    decodeWireFormat(buffer);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}

describe('Confluent wire format', () => {
  it('frames the body behind magic byte 0 and the big-endian schema id', () => {
    const framed = encodeWireFormat(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
    expect(decodeWireFormat(framed)).toEqual({ schemaId: 0x01020304, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('reads what a Java serializer writes (id 42, empty-record body)', () => {
    const javaBytes = Buffer.from('000000002a', 'hex');
    expect(decodeWireFormat(javaBytes)).toEqual({ schemaId: 42, body: Buffer.alloc(0) });
  });

  it('refuses ids the registry cannot have issued', () => {
    expect(() => encodeWireFormat(-1, Buffer.alloc(0))).toThrow(/schema id -1 is not an integer from 0 to 2147483647/);
    expect(() => encodeWireFormat(1.5, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => encodeWireFormat(2 ** 31, Buffer.alloc(0))).toThrow(RangeError);
  });

  it('says how short a too-short buffer is and what it holds', () => {
    const empty = decodeError(Buffer.alloc(0));
    expect(empty.reason).toBe('too-short');
    expect(empty.message).toMatch(/0 byte\(s\) \(empty\), at least 5 expected/);

    const short = decodeError(Buffer.from([0, 0, 1]));
    expect(short.reason).toBe('too-short');
    expect(short.message).toMatch(/3 byte\(s\) \(000001\)/);
  });

  it('names the byte found instead of the magic byte', () => {
    const json = decodeError(Buffer.from('{"orderId":"o-1"}'));
    expect(json.reason).toBe('bad-magic-byte');
    expect(json.message).toMatch(/first byte is 0x7b \(starts 7b226f7264657249…\), expected magic byte 0x00/);
  });

  it('accepts a header with an empty body (a record with no fields)', () => {
    expect(decodeWireFormat(Buffer.alloc(HEADER_SIZE)).body.length).toBe(0);
  });
});
