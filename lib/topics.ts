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
  customerActivity: 'customer.activity',
} as const;

export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];

/**
 * Changelogs of processor state that is not a public topic (JSON values,
 * no registry schema): only the runtime that wrote them reads them back.
 */
export const INTERNAL_TOPIC = {
  pendingPayments: 'order-aggregator.pending-payments.changelog',
  fraudWindows: 'fraud-detector.windows.changelog',
  fraudSourceClocks: 'fraud-detector.source-clocks.changelog',
} as const;

export type TopicKey = keyof typeof TOPIC | keyof typeof INTERNAL_TOPIC;
export type TopicNames = { readonly [K in TopicKey]: string };

const ALL_TOPICS: { readonly [K in TopicKey]: string } = { ...TOPIC, ...INTERNAL_TOPIC };

/** The pipeline's topic names under a prefix (TOPIC_PREFIX): isolated copies for tests or staging. */
export function topicNames(prefix = ''): TopicNames {
  const names = {} as { [K in TopicKey]: string };
  for (const key of Object.keys(ALL_TOPICS) as TopicKey[]) names[key] = `${prefix}${ALL_TOPICS[key]}`;
  return names;
}

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
  {
    name: TOPIC.customerActivity,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'delete',
    retentionMs: FOREVER,
    hasDeadLetter: true,
    description: 'valid order and payment events involving a customer, enriched, keyed by customerId (fraud detector input)',
  },
  {
    name: INTERNAL_TOPIC.pendingPayments,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: false,
    description: 'order aggregator: payments that arrived before their order, until it does',
  },
  {
    name: INTERNAL_TOPIC.fraudWindows,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: false,
    description: 'fraud detector: windowed aggregates per customer, rule and window',
  },
  {
    name: INTERNAL_TOPIC.fraudSourceClocks,
    partitions: EVENT_PARTITIONS,
    cleanupPolicy: 'compact',
    retentionMs: FOREVER,
    hasDeadLetter: false,
    description: 'fraud detector: the latest event time seen per upstream partition (its watermark)',
  },
];

/** Dead-letter topics keep the original bytes for a week: long enough to inspect and re-drive. */
export const DEAD_LETTER_RETENTION_MS = WEEK_MS;
