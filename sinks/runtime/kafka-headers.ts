/**
 * Kafka headers as strings. The same helper is private in
 * processors/runtime/stream-task.ts; once it is exported from there (or from
 * dead-letter.ts), this file can go.
 */
import type { KafkaMessage } from 'kafkajs';

/** The header map as strings (the first value of a repeated header). */
export function stringHeaders(headers: KafkaMessage['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
