/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte
 * big-endian integer, then the Avro binary body. Every Confluent-compatible
 * serializer (Java, Python, Go, kafkajs) reads and writes this framing.
 */
import { DecodeError, DecodeErrorContext } from './decode-error';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;
/** Ids are Java ints in the registry. */
const MAX_SCHEMA_ID = 0x7fffffff;

export interface WireMessage {
  readonly schemaId: number;
  /** A view on the input buffer, not a copy. */
  readonly body: Buffer;
}

/** Throws a RangeError for an id the registry cannot have issued. */
export function checkSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new RangeError(`schema id ${schemaId} is not an integer from 0 to ${MAX_SCHEMA_ID}; ids come from the registry`);
  }
}

/** Writes magic byte and schema id at `offset` (HEADER_SIZE bytes); the id must have passed checkSchemaId. */
export function writeWireHeader(target: Buffer, offset: number, schemaId: number): void {
  target[offset] = MAGIC_BYTE;
  target.writeInt32BE(schemaId, offset + 1);
}

export function encodeWireFormat(schemaId: number, body: Buffer): Buffer {
  checkSchemaId(schemaId);
  const framed = Buffer.allocUnsafe(HEADER_SIZE + body.length);
  writeWireHeader(framed, 0, schemaId);
  body.copy(framed, HEADER_SIZE);
  return framed;
}

function hexPreview(buffer: Buffer): string {
  const shown = buffer.subarray(0, 8).toString('hex');
  return buffer.length > 8 ? `${shown}…` : shown;
}

/** Splits a framed message; a DecodeError (too-short, bad-magic-byte) says what was found instead. */
export function decodeWireFormat(buffer: Buffer, context: DecodeErrorContext = {}): WireMessage {
  if (buffer.length < HEADER_SIZE) {
    throw new DecodeError(
      'too-short',
      `not a Confluent wire-format message: ${buffer.length} byte(s) (${hexPreview(buffer) || 'empty'}), at least ${HEADER_SIZE} expected (magic byte 0 and a 4-byte schema id)`,
      context,
    );
  }
  const magic = buffer.readUInt8(0);
  if (magic !== MAGIC_BYTE) {
    throw new DecodeError(
      'bad-magic-byte',
      `not a Confluent wire-format message: first byte is 0x${magic.toString(16).padStart(2, '0')} (starts ${hexPreview(buffer)}), expected magic byte 0x00; was it written without the schema registry serializer?`,
      context,
    );
  }
  const schemaId = buffer.readInt32BE(1);
  return { schemaId, body: buffer.subarray(HEADER_SIZE) };
}
