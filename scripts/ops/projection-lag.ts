/**
 * Whether the projections have caught up with the log: the order
 * aggregator on the event topics, and both sinks on orders.state. An order
 * still in flight would look like a mismatch, so verification checks this
 * first. Group names are the services' (TOPIC_PREFIX + service name, as in
 * processors/order-aggregator/main.ts and sinks/{redis,clickhouse}/main.ts).
 */
import type { Admin } from 'kafkajs';
import { consumerLag, totalLag } from '../../lib/admin/consumer-lag';
import type { TopicNames } from '../../lib/topics';

export interface ProjectionGroup {
  readonly group: string;
  readonly topics: readonly string[];
}

export interface GroupLag extends ProjectionGroup {
  readonly lag: number;
  /** No committed offset on any partition: the service never ran on this prefix (or its group was deleted). */
  readonly neverCommitted: boolean;
}

export function projectionGroups(topicPrefix: string, topics: TopicNames): ProjectionGroup[] {
  return [
    { group: `${topicPrefix}order-aggregator`, topics: [topics.orderEvents, topics.paymentEvents] },
    { group: `${topicPrefix}redis-sink`, topics: [topics.orderState] },
    { group: `${topicPrefix}clickhouse-sink`, topics: [topics.orderState] },
  ];
}

export async function projectionLags(admin: Admin, groups: readonly ProjectionGroup[]): Promise<GroupLag[]> {
  const lags: GroupLag[] = [];
  for (const group of groups) {
    const partitions = await consumerLag(admin, group.group, group.topics);
    const lag = totalLag(partitions);
    lags.push({ ...group, lag, neverCommitted: lag > 0 && partitions.every((p) => p.committed === null) });
  }
  return lags;
}

export function describeLag(lag: GroupLag): string {
  const why = lag.neverCommitted ? ' (it never committed: is the service running on this TOPIC_PREFIX?)' : '';
  return `group ${lag.group} is ${lag.lag} record(s) behind on ${lag.topics.join(', ')}${why}`;
}

/** The groups still lagging once they caught up or `waitMs` passed (0: a single look). */
export async function laggingAfter(admin: Admin, groups: readonly ProjectionGroup[], waitMs: number, pollMs = 500): Promise<GroupLag[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lagging = (await projectionLags(admin, groups)).filter((lag) => lag.lag > 0);
    if (lagging.length === 0 || Date.now() >= deadline) return lagging;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
