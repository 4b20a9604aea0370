/**
 * Fetched Kafka messages → SinkRecords for the writer, or dead letters for
 * those whose bytes can never be decoded. Anything else the codec throws
 * (the registry is unreachable) is transient and reported: the engine backs
 * off and reads the message again, it is not dead-lettered.
 */
import type { FetchedRecord as KafkaRecord } from '../../lib/kafka/partition-fetcher';
import { DecodeError, TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../lib/streaming/codec';
import { FetchedRecord, sourceOf } from './fetched-record';
import type { PendingDeadLetter } from './pending-batch';
import type { SinkRecord } from './sink-writer';

export type DecodedMessage<V extends TaggedValue> =
  { readonly kind: 'record'; readonly record: SinkRecord<V> } | { readonly kind: 'dead-letter'; readonly deadLetter: PendingDeadLetter };

export interface MessagePosition {
  readonly topic: string;
  /** The topic without TOPIC_PREFIX. */
  readonly catalogTopic: string;
  readonly partition: number;
}

function deadLetterOf(at: MessagePosition, record: KafkaRecord, error: DecodeError): PendingDeadLetter {
  return { source: sourceOf(at.topic, at.partition, record), code: `decode:${error.reason}`, message: error.message };
}

/** The codec's decode as a promise even if it throws synchronously. */
function decodeValue(codec: RecordCodec, topic: string, bytes: Buffer): Promise<TaggedValue> {
  try {
    return codec.decode(topic, bytes);
  } catch (error) {
    return Promise.reject(error);
  }
}

export interface DecodedFetch<V extends TaggedValue> {
  /** The messages' outcomes, in order, up to the first transient failure. */
  readonly decoded: DecodedMessage<V>[];
  /** Set when decoding stopped on a transient error: it concerns message number `decoded.length`. */
  readonly failure?: { readonly error: unknown };
}

/**
 * Decodes a fetched batch of one partition. Every decode starts at once and
 * they are awaited together: once the writer schema is cached the codec
 * decodes synchronously, so a batch costs one await instead of a promise
 * chain per message, a measurable share of a sink's CPU at tens of
 * thousands of records a second. After a transient failure the later
 * messages' outcomes are dropped: they are read again after the backoff.
 */
export async function decodeMessages<V extends TaggedValue>(
  codec: RecordCodec,
  at: MessagePosition,
  messages: readonly KafkaRecord[],
): Promise<DecodedFetch<V>> {
  const outcomes = await Promise.allSettled(messages.map((m) => (m.value === null ? null : decodeValue(codec, at.topic, m.value))));
  const decoded: DecodedMessage<V>[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as KafkaRecord;
    const outcome = outcomes[i] as PromiseSettledResult<TaggedValue | null>;
    if (outcome.status === 'fulfilled') {
      // the codec decodes with the reader schemas of the topic's records: its tag and shape are those of V
      decoded.push({ kind: 'record', record: new FetchedRecord<V>(at.topic, at.catalogTopic, at.partition, message, outcome.value as V | null) });
    } else if (outcome.reason instanceof DecodeError) {
      decoded.push({ kind: 'dead-letter', deadLetter: deadLetterOf(at, message, outcome.reason) });
    } else {
      return { decoded, failure: { error: outcome.reason } };
    }
  }
  return { decoded };
}
