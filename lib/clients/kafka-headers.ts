/** Kafka headers as strings, for processors, sinks and dead letters alike. */
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
