/**
 * Splits what one transaction sends into produce requests of a bounded size:
 * a whole commit in one record batch can exceed the broker's
 * message.max.bytes (1 MiB by default), which bounds one partition's batch.
 */
import type { Message } from 'kafkajs';

/** Well under the broker's default message.max.bytes. */
const MAX_REQUEST_BYTES = 512 * 1024;

export type TopicMessages = Array<{ topic: string; messages: Message[] }>;

function messageSize(message: Message): number {
  const length = (part: Message['key'] | Message['value']) => (part == null ? 0 : typeof part === 'string' ? Buffer.byteLength(part) : part.length);
  return length(message.key) + length(message.value) + 64;
}

/** The messages in order, in chunks of at most `maxBytes` (a larger single message goes alone). */
export function requestChunks(topicMessages: TopicMessages, maxBytes = MAX_REQUEST_BYTES): TopicMessages[] {
  const chunks: TopicMessages[] = [];
  let chunk = new Map<string, Message[]>();
  let size = 0;
  const close = () => {
    if (size === 0) return;
    chunks.push([...chunk].map(([topic, messages]) => ({ topic, messages })));
    chunk = new Map();
    size = 0;
  };
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const bytes = messageSize(message);
      if (size + bytes > maxBytes) close();
      const list = chunk.get(topic) ?? [];
      list.push(message);
      chunk.set(topic, list);
      size += bytes;
    }
  }
  close();
  return chunks;
}
