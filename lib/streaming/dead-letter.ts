/**
 * Dead-letter records: the original key and bytes, untouched, on
 * `<source topic>.dlq`, with headers that say what went wrong and where the
 * record came from, so it can be inspected and re-driven.
 */
import { deadLetterTopic } from '../topics';

export const DEAD_LETTER_HEADER = {
  errorCode: 'dlq.error.code',
  errorMessage: 'dlq.error.message',
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  processor: 'dlq.processor',
  failedAt: 'dlq.failed.at',
} as const;

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

export function deadLetter(source: DeadLetterSource, processor: string, code: string, message: string, now = new Date()): DeadLetterRecord {
  return {
    topic: deadLetterTopic(source.topic),
    key: source.key,
    value: source.value,
    headers: {
      ...source.headers,
      [DEAD_LETTER_HEADER.errorCode]: code,
      [DEAD_LETTER_HEADER.errorMessage]: message,
      [DEAD_LETTER_HEADER.sourceTopic]: source.topic,
      [DEAD_LETTER_HEADER.sourcePartition]: String(source.partition),
      [DEAD_LETTER_HEADER.sourceOffset]: source.offset,
      [DEAD_LETTER_HEADER.processor]: processor,
      [DEAD_LETTER_HEADER.failedAt]: now.toISOString(),
    },
  };
}
