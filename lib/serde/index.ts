/**
 * The serde: Confluent wire format and Avro with the schema registry.
 *
 *   const registry = createRegistryClient(config.schemaRegistry, { logger });
 *   // subjects follow the Kafka topics' prefix; calls keep the catalog's topic names
 *   const records = catalogRecordSet(undefined, { topicPrefix: config.topicPrefix });
 *   const encoder = new AvroEncoder({ registry, records, logger });
 *   const bytes = await encoder.encode(TOPIC.orderEvents, { type: 'OrderPlaced', value: placed });
 *   const decoder = new AvroDecoder({ registry, records, logger });
 *   const { type, value, schemaId } = await decoder.decode(TOPIC.orderEvents, bytes);
 */
export { AvroEncoder } from './avro-encoder';
export type { AvroEncoderOptions } from './avro-encoder';
export { AvroDecoder } from './avro-decoder';
export type { AvroDecoderOptions } from './avro-decoder';
export { DECODE_ERROR_REASONS, DecodeError } from './decode-error';
export type { DecodeErrorContext, DecodeErrorReason } from './decode-error';
export { EncodeError } from './encode-error';
export type { EncodeErrorReason } from './encode-error';
export type { Decoded, MessageMap, TaggedValue } from './tagged-message';
export { describeIssues, describeType, describeValue, findValueIssues, isValidValue } from './value-issues';
export type { ValueIssue } from './value-issues';
export { HEADER_SIZE, MAGIC_BYTE, decodeWireFormat, encodeWireFormat } from './wire-format';
export type { WireMessage } from './wire-format';
