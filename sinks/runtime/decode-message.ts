/**
 * One fetched Kafka message → a SinkRecord for the writer, or a dead letter
 * when its bytes can never be decoded. Anything else the codec throws (the
 * registry is unreachable) is transient and is thrown on: the engine backs
 * off and reads the message again, it is not dead-lettered.
 */
import type { KafkaMessage } from 'kafkajs';
import { DecodeError, TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../processors/runtime/codec';
import { FetchedRecord, sourceOf } from './fetched-record';
import { stringHeaders } from '../../lib/clients/kafka-headers';
import type { PendingDeadLetter } from './pending-batch';
import type { SinkRecord } from './sink-writer';

export type DecodedMessage<V extends TaggedValue> =
  | { readonly kind: 'record'; readonly record: SinkRecord<V> }
  | { readonly kind: 'dead-letter'; readonly deadLetter: PendingDeadLetter };

export interface MessagePosition {
  readonly topic: string;
  /** The topic without TOPIC_PREFIX. */
  readonly catalogTopic: string;
  readonly partition: number;
}

export async function decodeMessage<V extends TaggedValue>(codec: RecordCodec, at: MessagePosition, message: KafkaMessage): Promise<DecodedMessage<V>> {
  let value: V | null = null;
  if (message.value !== null) {
    try {
      // the codec decodes with the reader schemas of the topic's records: its tag and shape are those of V
      value = (await codec.decode(at.topic, message.value)) as V;
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      const source = sourceOf(at.topic, at.partition, message, stringHeaders(message.headers));
      return { kind: 'dead-letter', deadLetter: { source, code: `decode:${error.reason}`, message: error.message } };
    }
  }
  return { kind: 'record', record: new FetchedRecord<V>(at.topic, at.catalogTopic, at.partition, message, value) };
}
