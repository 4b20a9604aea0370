/**
 * What the publisher takes: an event for a topic, as the catalog names the
 * topic (without TOPIC_PREFIX), with an optional key. `event: null` is a
 * tombstone: it needs a key, and only compacted topics (customers) take one.
 */
import type { TopicMessages } from '../schemas/generated/types';
import type { MessageMap } from '../lib/serde';

export type OutgoingEvent<M extends MessageMap<M> = TopicMessages> = {
  readonly [T in keyof M & string]: {
    readonly topic: T;
    /** Defaults to envelope.aggregateId (orderId on orders and payments, customerId on customers). */
    readonly key?: string;
    readonly event: M[T] | null;
  };
}[keyof M & string];
