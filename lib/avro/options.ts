/**
 * The avsc options every Avro type in this project is parsed with, so that
 * producers, processors, sinks, the schema catalog and the generated
 * TypeScript types agree on how values look in JavaScript.
 */
import { Type } from 'avsc';
import { TIMESTAMP_MILLIS, TimestampMillisType } from './timestamp-millis';

export type AvroTypeOptions = NonNullable<Parameters<typeof Type.forSchema>[1]>;
type LogicalTypes = NonNullable<AvroTypeOptions['logicalTypes']>;
/** A schema as avsc accepts it: a JSON object, a union array, or a type name. */
export type AvroSchemaInput = Parameters<typeof Type.forSchema>[0];

/** Logical type name → implementation; anything not listed decodes as its underlying Avro type. */
export const AVRO_LOGICAL_TYPES: Readonly<LogicalTypes> = Object.freeze({
  [TIMESTAMP_MILLIS]: TimestampMillisType,
});

/**
 * A fresh options object on every call: avsc's forSchema writes its registry
 * of named types into the options it is given, so a shared object would make
 * a second schema defining the same names fail as a duplicate.
 *
 * - `wrapUnions: 'never'`: unions are plain values (`string | null`), which is
 *   what the generated types promise; avsc then refuses an ambiguous union at
 *   parse time instead of silently switching to `{ string: … }` wrappers.
 * - `assertLogicalTypes`: a logical type that fails to build is an error, not
 *   a silent fallback to a long that would turn Dates into numbers.
 *
 * For @kafkajs/confluent-schema-registry, pass these as the `[SchemaType.AVRO]`
 * options (it spreads them per schema, so sharing one call's result is fine there).
 */
export function avroTypeOptions(): AvroTypeOptions {
  return {
    logicalTypes: { ...AVRO_LOGICAL_TYPES },
    wrapUnions: 'never',
    assertLogicalTypes: true,
  };
}

/** Parses a schema with the project's options (JSON text: JSON.parse it first). */
export function parseAvroType(schema: AvroSchemaInput): Type {
  return Type.forSchema(schema, avroTypeOptions());
}
