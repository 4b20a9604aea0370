/**
 * Every Kafka topic of the pipeline, declared once: name, partitions and
 * retention policy. scripts/topics provisions them; code refers to them by
 * the constants below, never by string literals.
 */

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** -1 keeps records forever; event topics are the source of truth. */
  readonly retentionMs: number;
  /** Input topics get a `<name>.dlq` dead-letter topic. */
  readonly hasDeadLetter: boolean;
  readonly description: string;
}

export const TOPIC = {
  orderEvents: 'orders.events',
  paymentEvents: 'payments.events',
  customers: 'customers',
  orderState: 'orders.state',
  fraudCounters: 'fraud.counters',
  fraudAlerts: 'fraud.alerts',
} as const;

export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];

export const DEAD_LETTER_SUFFIX = '.dlq';

export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

// orders.events and payments.events share a partition count so that an
// order's events and its payments (both keyed by orderId) co-partition.
const EVENT_PARTITIONS = 6;
const FOREVER = -1;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export const TOPICS: readonly TopicSpec[] = [
  {
    name: TOPIC.orderEvents,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'order lifecycle events, keyed by orderId',
  },
  {
    name: TOPIC.paymentEvents,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'payment events, keyed by orderId (co-partitioned with orders.events)',
  },
  {
    name: TOPIC.customers,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'latest CustomerProfile per customerId; a tombstone erases a customer',
  },
  {
    name: TOPIC.orderState,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'folded OrderState per orderId; also the order aggregator changelog',
  },
  {
    name: TOPIC.fraudCounters,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'windowed fraud counters per customerId',
  },
  {
    name: TOPIC.fraudAlerts,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'FraudAlert events',
  },
];

/** Dead-letter topics keep the original bytes for a week: long enough to inspect and re-drive. */
export const DEAD_LETTER_RETENTION_MS = WEEK_MS;
