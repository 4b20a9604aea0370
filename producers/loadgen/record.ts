/**
 * What the load generator emits: one Kafka record to publish, as the
 * producer library takes it: topic, key (the aggregate id) and the tagged
 * value of that topic's union.
 */
import type { TopicMessages } from '../../schemas/generated/types';
import type { TOPIC } from '../../lib/topics';

export type GeneratedTopic = typeof TOPIC.orderEvents | typeof TOPIC.paymentEvents | typeof TOPIC.customers;

/** A record of one of the topics the load generator writes, with `event` typed by its topic. */
export type GeneratedRecord = {
  readonly [T in GeneratedTopic]: { readonly topic: T; readonly key: string; readonly event: TopicMessages[T] };
}[GeneratedTopic];

/** Event time of a record, the order of the generated stream. */
export function occurredAtMs(record: GeneratedRecord): number {
  return record.event.value.envelope.occurredAt.getTime();
}
