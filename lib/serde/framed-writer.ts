/**
 * Writes Avro values in the Confluent wire format into shared slabs: each
 * value is encoded in place behind its 5-byte header, and the caller gets a
 * view of the slab. This replaces, per value, avsc's toBuffer (a zeroed
 * buffer of its own) plus a second buffer and copy for the header, which the
 * produce benchmark showed as most of the encoder's cost and garbage.
 *
 * Bytes handed out are never written again: the next value goes after them,
 * and a value that does not fit in what is left starts a new slab (as large
 * as that value needs), so earlier results stay intact for as long as they
 * are referenced. A slab's memory is freed once no view of it is left, so a
 * result kept for long keeps its slab alive: the same trade-off as Node's own
 * Buffer.allocUnsafe pool, hence the same 8 KiB (copy a result to keep it
 * for long without its neighbours).
 */
import type { Type } from 'avsc';
import { HEADER_SIZE, writeWireHeader } from './wire-format';

/** Node's Buffer pool size: a slab every twenty-odd typical events, and little memory held by a kept result. */
export const DEFAULT_SLAB_SIZE = 8 * 1024;

export class FramedWriter {
  private slab: Buffer;
  private offset = 0;

  constructor(private readonly slabSize: number = DEFAULT_SLAB_SIZE) {
    if (!Number.isSafeInteger(slabSize) || slabSize <= HEADER_SIZE) {
      throw new RangeError(`slab size must be an integer above ${HEADER_SIZE}, got ${slabSize}`);
    }
    this.slab = Buffer.allocUnsafeSlow(slabSize);
  }

  /**
   * The framed bytes of `value`. `type` must accept the value (validate
   * first): avsc throws on a value it cannot write, and then nothing is
   * handed out.
   */
  write(schemaId: number, type: Type, value: unknown): Buffer {
    const start = this.offset;
    // encode returns the end position, or minus the bytes missing when the slab is too small.
    const end = type.encode(value, this.slab, start + HEADER_SIZE);
    if (end < 0) return this.writeInNewSlab(schemaId, type, value, this.slab.length - end - start);
    writeWireHeader(this.slab, start, schemaId);
    this.offset = end;
    return this.slab.subarray(start, end);
  }

  private writeInNewSlab(schemaId: number, type: Type, value: unknown, framedSize: number): Buffer {
    this.slab = Buffer.allocUnsafeSlow(Math.max(this.slabSize, framedSize));
    this.offset = 0;
    const end = type.encode(value, this.slab, HEADER_SIZE);
    if (end < 0) throw new Error(`avsc asked for ${framedSize} bytes to encode a ${type.name ?? type.typeName} but needed more; this is a bug`);
    writeWireHeader(this.slab, 0, schemaId);
    this.offset = end;
    return this.slab.subarray(0, end);
  }
}
