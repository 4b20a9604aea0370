import { parseAvroType } from '../../../lib/avro/options';
import { FramedWriter } from '../../../lib/serde/framed-writer';
import { HEADER_SIZE, decodeWireFormat } from '../../../lib/serde/wire-format';

const note = parseAvroType({ type: 'record', name: 'Note', fields: [{ name: 'text', type: 'string' }] });

describe('FramedWriter', () => {
  it('writes the magic byte, the big-endian schema id and the Avro body', () => {
    const framed = new FramedWriter().write(0x01020304, note, { text: 'hi' });
    expect([...framed]).toEqual([0x00, 0x01, 0x02, 0x03, 0x04, 0x04, 0x68, 0x69]);
    expect(note.fromBuffer(decodeWireFormat(framed).body)).toEqual({ text: 'hi' });
  });

  it('keeps every earlier result intact while later values fill and overflow slabs', () => {
    // A slab of 64 bytes holds a few notes: the loop crosses many slab boundaries.
    const writer = new FramedWriter(64);
    const texts = Array.from({ length: 200 }, (_, i) => `note ${i} ${'x'.repeat(i % 40)}`);
    const written = texts.map((text, i) => writer.write(i, note, { text }));
    written.forEach((framed, i) => {
      const { schemaId, body } = decodeWireFormat(framed);
      expect(schemaId).toBe(i);
      expect(note.fromBuffer(body)).toEqual({ text: texts[i] });
    });
  });

  it('encodes a value larger than a whole slab, then goes on with normal slabs', () => {
    const writer = new FramedWriter(64);
    const small = writer.write(1, note, { text: 'before' });
    const text = 'é'.repeat(50_000);
    const large = writer.write(2, note, { text });
    const after = writer.write(3, note, { text: 'after' });
    expect(large.length).toBeGreaterThan(100_000 + HEADER_SIZE);
    expect(note.fromBuffer(decodeWireFormat(large).body)).toEqual({ text });
    expect(note.fromBuffer(decodeWireFormat(small).body)).toEqual({ text: 'before' });
    expect(note.fromBuffer(decodeWireFormat(after).body)).toEqual({ text: 'after' });
  });

  it('hands out nothing for a value avsc cannot write, and the next value is unaffected', () => {
    const writer = new FramedWriter(64);
    const first = writer.write(1, note, { text: 'kept' });
    expect(() => writer.write(1, note, { text: 5 })).toThrow(/invalid "string": 5/);
    const next = writer.write(1, note, { text: 'next' });
    expect(note.fromBuffer(decodeWireFormat(first).body)).toEqual({ text: 'kept' });
    expect(note.fromBuffer(decodeWireFormat(next).body)).toEqual({ text: 'next' });
  });

  it('refuses a slab too small for a header', () => {
    expect(() => new FramedWriter(5)).toThrow(/slab size must be an integer above 5, got 5/);
  });
});
