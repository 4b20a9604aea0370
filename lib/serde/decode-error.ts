/**
 * A record that can never be decoded, whatever is retried: the processors'
 * dead-letter handling sends it to `<topic>.dlq` with `reason` in a header.
 *
 * A registry that cannot be reached is not a DecodeError (it throws
 * RegistryUnavailableError from lib/registry): that is transient, and the
 * record must be retried, not dead-lettered.
 */

export const DECODE_ERROR_REASONS = [
  /** Shorter than the 5-byte Confluent header. */
  'too-short',
  /** First byte is not the Confluent magic byte 0: not written by a Confluent-format serializer. */
  'bad-magic-byte',
  /** The registry has no schema with the id in the header. */
  'unknown-schema-id',
  /** The id names a JSON Schema or Protobuf schema, or text that is not a valid Avro schema. */
  'not-avro',
  /** The writer schema is a record this consumer does not know on this topic. */
  'unknown-record',
  /** The writer schema cannot be resolved to the reader schema (an incompatible change slipped through). */
  'incompatible-writer',
  /** The Avro body does not match its writer schema (truncated, corrupt, trailing bytes). */
  'malformed-body',
] as const;

export type DecodeErrorReason = (typeof DECODE_ERROR_REASONS)[number];

export interface DecodeErrorContext {
  readonly topic?: string;
  readonly schemaId?: number;
  readonly writerFullName?: string;
}

export class DecodeError extends Error {
  override readonly name = 'DecodeError';

  constructor(
    readonly reason: DecodeErrorReason,
    message: string,
    readonly context: DecodeErrorContext = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
