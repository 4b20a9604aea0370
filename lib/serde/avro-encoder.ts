/**
 * Tagged value → Confluent wire-format bytes. The value is validated against
 * its record's schema first, so an invalid event fails with field paths and
 * nothing is produced; the schema id is resolved once per subject and cached.
 * Once a record's id is known, encodeIfResolved encodes without a promise
 * (the publisher's hot path). Bytes are written into shared slabs (see
 * framed-writer.ts): a returned buffer is a view that must not be written to,
 * and one kept for long keeps its 8 KiB slab alive, as pooled Buffers do.
 */
import type { TopicMessages } from '../../schemas/generated/types';
import type { Logger } from '../logger';
import type { RecordSchema, RecordSet } from '../registry/record-set';
import type { RegistryClient } from '../registry/registry-client';
import { declaredFieldsCheck } from './declared-fields';
import { EncodeError } from './encode-error';
import { MessageMap } from './tagged-message';
import { findValueIssues, isValidValue } from './value-issues';
import { FramedWriter } from './framed-writer';
import { checkSchemaId } from './wire-format';

export interface AvroEncoderOptions {
  readonly registry: RegistryClient;
  readonly records: RecordSet;
  /**
   * Register a schema its subject does not hold yet (a new subject gets the
   * record's compatibility level first). Default true, like Confluent
   * serializers' auto.register.schemas; set false where schemas are
   * registered by `scripts/schemas register` only.
   */
  readonly autoRegister?: boolean;
  readonly logger?: Logger;
}

export class AvroEncoder<M extends MessageMap<M> = TopicMessages> {
  private readonly registry: RegistryClient;
  private readonly records: RecordSet;
  private readonly autoRegister: boolean;
  private readonly logger: Logger | undefined;
  /** Subject → id. A promise, so concurrent first calls share one registry round trip. */
  private readonly ids = new Map<string, Promise<number>>();
  /** Record → id once resolved, for encodeIfResolved. */
  private readonly resolved = new Map<RecordSchema, number>();
  private readonly writer = new FramedWriter();

  constructor(options: AvroEncoderOptions) {
    this.registry = options.registry;
    this.records = options.records;
    this.autoRegister = options.autoRegister ?? true;
    this.logger = options.logger?.child({ component: 'avro-encoder' });
  }

  /** Validates, resolves the schema id (cached) and encodes. */
  async encode<T extends keyof M & string>(topic: T, message: M[T]): Promise<Buffer> {
    const record = this.record(topic, message.type);
    // Before the id: an invalid value fails without a registry round trip.
    this.validate(record, message.value);
    const id = this.resolved.get(record) ?? (await this.idOf(record));
    return this.write(record, id, message.value);
  }

  /**
   * Validates and encodes synchronously when the record's schema id is
   * already resolved (by encode, schemaId or prepare); undefined when it is
   * not, and then nothing was checked: call encode.
   */
  encodeIfResolved<T extends keyof M & string>(topic: T, message: M[T]): Buffer | undefined {
    const record = this.record(topic, message.type);
    const id = this.resolved.get(record);
    if (id === undefined) return undefined;
    // One walk instead of two: avsc's writer checks types as it writes, the
    // cheap declared-fields check covers the rest (see declared-fields.ts);
    // only a value it doubts gets the full validation, which names the issues.
    if (!declaredFieldsCheck(record.type)(message.value)) this.validate(record, message.value);
    return this.write(record, id, message.value);
  }

  /** The schema id values of this record are written with (registering the schema if allowed). */
  async schemaId(topic: string, type: string): Promise<number> {
    return this.idOf(this.record(topic, type));
  }

  /**
   * Resolves every id up front (all topics of the record set, or the given
   * ones), so a missing schema or an unreachable registry shows at start-up
   * rather than on the first event.
   */
  async prepare(topics: readonly string[] = this.records.topics()): Promise<void> {
    const wanted = new Set(topics);
    await Promise.all(this.records.records.filter((r) => wanted.has(r.topic)).map((r) => this.idOf(r)));
  }

  private record(topic: string, type: string): RecordSchema {
    const record = this.records.byName(topic, type);
    if (!record) {
      throw new EncodeError(
        'unknown-record',
        `topic ${topic} carries no record tagged ${JSON.stringify(type)} (it carries ${this.records.describeTopic(topic)}); the tag is the record's short name`,
        topic,
      );
    }
    return record;
  }

  private validate(record: RecordSchema, value: unknown): void {
    if (!isValidValue(record.type, value)) {
      throw EncodeError.invalidValue(record.topic, record.fullName, findValueIssues(record.type, value));
    }
  }

  private write(record: RecordSchema, id: number, value: unknown): Buffer {
    try {
      return this.writer.write(id, record.type, value);
    } catch (err) {
      const issues = findValueIssues(record.type, value);
      // No issue found: a conversion isValid does not run failed; still the value's fault.
      throw EncodeError.invalidValue(
        record.topic,
        record.fullName,
        issues.length > 0 ? issues : [{ path: '', reason: err instanceof Error ? err.message : String(err) }],
      );
    }
  }

  private idOf(record: RecordSchema): Promise<number> {
    const cached = this.ids.get(record.subject);
    if (cached) return cached;
    const pending = this.resolveId(record).then((id) => {
      checkSchemaId(id);
      this.resolved.set(record, id);
      return id;
    });
    this.ids.set(record.subject, pending);
    // A failure is not cached: the next call asks the registry again.
    pending.catch(() => {
      if (this.ids.get(record.subject) === pending) this.ids.delete(record.subject);
    });
    return pending;
  }

  private async resolveId(record: RecordSchema): Promise<number> {
    const { subject } = record;
    const existing = await this.registry.lookup(subject, record.schemaText);
    if (existing) {
      this.logger?.debug({ subject, id: existing.id, version: existing.version }, 'schema id resolved');
      return existing.id;
    }
    if (!this.autoRegister) {
      throw new EncodeError(
        'schema-not-registered',
        `subject ${subject} does not hold the current schema of ${record.fullName}; register it (scripts/schemas register) before producing`,
        record.topic,
      );
    }
    // A new subject gets its level before its first version (DESIGN.md: every level explicit).
    if ((await this.registry.subjectLevel(subject)) === undefined) {
      await this.registry.setSubjectLevel(subject, record.compatibility);
    }
    const id = await this.registry.register(subject, record.schemaText);
    this.logger?.info({ subject, id }, 'schema registered by the encoder');
    return id;
  }
}
