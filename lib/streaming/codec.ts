/**
 * How the runtime turns bytes into tagged values and back. The production
 * codec is the registry-backed Avro serde; store codecs for internal
 * changelogs can be plain JSON.
 */
import type { AvroDecoder, AvroEncoder, TaggedValue } from '../serde';

/** A store's values as its changelog holds them. */
export interface StoreCodec<V> {
  encode(value: V): Promise<Buffer> | Buffer;
  decode(bytes: Buffer): Promise<V> | V;
}

export interface RecordCodec {
  /** Throws DecodeError for bytes that can never be decoded (they are dead-lettered). */
  decode(topic: string, bytes: Buffer): Promise<TaggedValue>;
  /** decode() without a promise when that is possible (the writer schema is known); undefined otherwise. */
  decodeCached?(topic: string, bytes: Buffer): TaggedValue | undefined;
  encode(topic: string, value: TaggedValue): Promise<Buffer>;
}

/** Decodes synchronously when the codec can, so hot loops await only on a cache miss. */
export function decodeSoon(codec: RecordCodec, topic: string, bytes: Buffer): TaggedValue | Promise<TaggedValue> {
  return codec.decodeCached?.(topic, bytes) ?? codec.decode(topic, bytes);
}

type AnyMessages = Record<string, TaggedValue>;

/**
 * The registry-backed codec over the real topic names. Under a topic prefix
 * (TOPIC_PREFIX) the serde knows records by their catalog topic and subjects
 * by the prefixed one, so the prefix is taken off here.
 */
export function avroCodec(encoder: AvroEncoder<AnyMessages>, decoder: AvroDecoder<AnyMessages>, topicPrefix = ''): RecordCodec {
  const catalogTopic = (topic: string) => (topicPrefix !== '' && topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic);
  return {
    decode: (topic, bytes) => decoder.decode(catalogTopic(topic), bytes),
    decodeCached: (topic, bytes) => decoder.decodeCached(catalogTopic(topic), bytes),
    encode: (topic, value) => encoder.encode(catalogTopic(topic), value),
  };
}

/** A store whose changelog is a public topic with an Avro record (e.g. orders.state holding OrderState). */
export function avroStoreCodec<V>(codec: RecordCodec, topic: string, type: string): StoreCodec<V> {
  const valueOf = (decoded: TaggedValue): V => {
    if (decoded.type !== type) throw new Error(`changelog ${topic} holds a ${decoded.type}, expected ${type}`);
    return decoded.value as V;
  };
  return {
    encode: (value) => codec.encode(topic, { type, value }),
    decode: (bytes) => {
      const decoded = decodeSoon(codec, topic, bytes);
      return decoded instanceof Promise ? decoded.then(valueOf) : valueOf(decoded);
    },
  };
}

/**
 * Internal changelogs that only this runtime reads: JSON, with Dates and
 * Buffers tagged so they come back as Dates and Buffers.
 */
export function jsonStoreCodec<V>(): StoreCodec<V> {
  return {
    encode: (value) => Buffer.from(JSON.stringify(tagged(value))),
    decode: (bytes) =>
      JSON.parse(bytes.toString('utf8'), (_key, parsed: unknown) => {
        if (typeof parsed === 'object' && parsed !== null) {
          const tagged = parsed as { $date?: unknown; $bytes?: unknown };
          if (typeof tagged.$date === 'number') return new Date(tagged.$date);
          if (typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'base64');
        }
        return parsed;
      }) as V,
  };
}

/**
 * The value with Dates and Buffers replaced by their tags, for JSON.stringify.
 * A walk rather than a replacer: a replacer runs for every property, and
 * Buffer's toJSON turns every byte into an array element before it runs.
 */
function tagged(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return { $date: value.getTime() };
  if (Buffer.isBuffer(value)) return { $bytes: value.toString('base64') };
  if (Array.isArray(value)) return value.map(tagged);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = tagged((value as Record<string, unknown>)[key]);
  return out;
}
