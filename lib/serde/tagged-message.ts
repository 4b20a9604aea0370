/**
 * Values travel through the serde tagged with their record: several record
 * types share a topic and an Avro body does not say which one it is
 * (see schemas/generated/types.ts).
 */

export interface TaggedValue {
  /** The record's short name, e.g. OrderPlaced. */
  readonly type: string;
  readonly value: unknown;
}

/**
 * Topic → tagged union of the values it carries. TopicMessages (generated)
 * for the real topics; tests describe their own (e.g. a v1 and a v2 record
 * under a test topic).
 */
export type MessageMap<M> = { readonly [K in keyof M]: TaggedValue };

/** A decoded value, and the id of the schema it was written with. */
export type Decoded<T extends TaggedValue> = T & { readonly schemaId: number };
