/**
 * Confluent wire-format bytes → tagged value, read with the consumer's own
 * (reader) schema: the writer schema named by the id is fetched once from
 * the registry, matched to the consumer's record by full name, and resolved
 * to it with avsc. That resolution is how old events are upcast (fields
 * added since get their defaults) and how newer events are read by older
 * consumers (fields they do not know are skipped).
 *
 * Records that can never be decoded throw DecodeError (reason codes for the
 * dead-letter topic); an unreachable registry throws RegistryUnavailableError,
 * which is transient and must not dead-letter anything.
 */
import { Type } from 'avsc';
import type { TopicMessages } from '../../schemas/generated/types';
import { checkReadable } from '../../schemas/compatibility';
import { AvroSchemaInput, parseAvroType } from '../avro/options';
import type { Logger } from '../logger';
import type { RecordSchema, RecordSet } from '../registry/record-set';
import type { RegistryClient } from '../registry/registry-client';
import { DecodeError } from './decode-error';
import { Decoded, MessageMap } from './tagged-message';
import { decodeWireFormat } from './wire-format';

export interface AvroDecoderOptions {
  readonly registry: RegistryClient;
  /** The reader schemas: what this consumer expects on each topic. */
  readonly records: RecordSet;
  readonly logger?: Logger;
}

/** How to read bodies written with one schema id on one topic. */
interface Reader {
  readonly record: RecordSchema;
  read(body: Buffer): unknown;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A DecodeError gains the topic it happened on; anything else (the registry is unreachable) passes as is. */
function inTopic(topic: string, err: unknown): unknown {
  if (!(err instanceof DecodeError)) return err;
  return new DecodeError(err.reason, `cannot decode a record of topic ${topic}: ${err.message}`, { ...err.context, topic }, err.cause);
}

export class AvroDecoder<M extends MessageMap<M> = TopicMessages> {
  private readonly registry: RegistryClient;
  private readonly records: RecordSet;
  private readonly logger: Logger | undefined;
  /** Schema id → writer type; shared by every topic, only successes are kept. */
  private readonly writers = new Map<number, Promise<Type>>();
  /** Topic → schema id → reader: the resolver is built once per pair. */
  private readonly readers = new Map<string, Map<number, Reader>>();

  constructor(options: AvroDecoderOptions) {
    this.registry = options.registry;
    this.records = options.records;
    this.logger = options.logger?.child({ component: 'avro-decoder' });
  }

  async decode<T extends keyof M & string>(topic: T, buffer: Buffer): Promise<Decoded<M[T]>> {
    try {
      const { schemaId, body } = decodeWireFormat(buffer);
      const reader = this.readers.get(topic)?.get(schemaId) ?? (await this.reader(topic, schemaId));
      return this.read<T>(reader, schemaId, body);
    } catch (err) {
      throw inTopic(topic, err);
    }
  }

  /**
   * The synchronous fast path of decode(), for hot loops: the decoded value
   * when the reader for this topic and the message's schema id is built
   * already, undefined when only decode() can tell (the writer schema is not
   * fetched yet). Throws the same DecodeErrors as decode().
   */
  decodeCached<T extends keyof M & string>(topic: T, buffer: Buffer): Decoded<M[T]> | undefined {
    try {
      const { schemaId, body } = decodeWireFormat(buffer);
      const reader = this.readers.get(topic)?.get(schemaId);
      return reader && this.read<T>(reader, schemaId, body);
    } catch (err) {
      throw inTopic(topic, err);
    }
  }

  private read<T extends keyof M & string>(reader: Reader, schemaId: number, body: Buffer): Decoded<M[T]> {
    let value: unknown;
    try {
      value = reader.read(body);
    } catch (err) {
      throw new DecodeError(
        'malformed-body',
        `the Avro body (${body.length} bytes) does not match writer schema id ${schemaId} (${reader.record.fullName}): ${message(err)}`,
        { schemaId, writerFullName: reader.record.fullName },
        err,
      );
    }
    // The record set is the runtime form of M: the tag and value shapes agree by construction.
    return { type: reader.record.name, value, schemaId } as unknown as Decoded<M[T]>;
  }

  private async reader(topic: string, schemaId: number): Promise<Reader> {
    const writer = await this.writerType(schemaId);
    const fullName = writer.name;
    const record = fullName !== undefined && Type.isType(writer, 'record') ? this.records.byFullName(topic, fullName) : undefined;
    if (!record) {
      throw new DecodeError(
        'unknown-record',
        `schema id ${schemaId} is ${fullName !== undefined ? `record ${fullName}` : `a ${writer.typeName}, not a named record`}, which this consumer does not read on this topic (it reads ${this.records.describeTopic(topic)})`,
        { schemaId, writerFullName: fullName },
      );
    }
    const reader = this.buildReader(record, writer, schemaId);
    let byId = this.readers.get(topic);
    if (!byId) {
      byId = new Map();
      this.readers.set(topic, byId);
    }
    byId.set(schemaId, reader);
    this.logger?.debug({ topic, schemaId, record: record.fullName }, 'reader schema resolved');
    return reader;
  }

  private buildReader(record: RecordSchema, writer: Type, schemaId: number): Reader {
    const readerType = record.type;
    // Same canonical form: same bytes, so the reader type decodes directly
    // (and still applies its own logical types).
    if (readerType.equals(writer)) return { record, read: (body) => readerType.fromBuffer(body) };
    try {
      const resolver = readerType.createResolver(writer);
      return { record, read: (body) => readerType.fromBuffer(body, resolver) };
    } catch (err) {
      throw new DecodeError(
        'incompatible-writer',
        `writer schema id ${schemaId} of ${record.fullName} cannot be read with this consumer's schema: ${checkReadable(readerType, writer) ?? message(err)}`,
        { schemaId, writerFullName: record.fullName },
        err,
      );
    }
  }

  private writerType(schemaId: number): Promise<Type> {
    const cached = this.writers.get(schemaId);
    if (cached) return cached;
    const pending = this.fetchWriterType(schemaId);
    this.writers.set(schemaId, pending);
    // Not cached on failure: an id unknown now may be known once a registry replica catches up.
    pending.catch(() => {
      if (this.writers.get(schemaId) === pending) this.writers.delete(schemaId);
    });
    return pending;
  }

  private async fetchWriterType(schemaId: number): Promise<Type> {
    const found = schemaId >= 0 ? await this.registry.schemaById(schemaId) : undefined;
    if (!found) {
      throw new DecodeError(
        'unknown-schema-id',
        `schema id ${schemaId} is not in the registry at ${this.registry.displayUrl}; was the record written against another registry?`,
        { schemaId },
      );
    }
    if (found.schemaType !== 'AVRO') {
      throw new DecodeError('not-avro', `schema id ${schemaId} is a ${found.schemaType} schema, not Avro`, { schemaId });
    }
    try {
      return parseAvroType(JSON.parse(found.schema) as AvroSchemaInput);
    } catch (err) {
      throw new DecodeError('not-avro', `schema id ${schemaId} is not a valid Avro schema: ${message(err)}`, { schemaId }, err);
    }
  }
}
