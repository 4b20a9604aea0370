/**
 * Whether the projections have caught up with the log: the order
 * aggregator on the event topics, and both sinks on the topics verify
 * compares them with (orders.state; fraud.counters and fraud.alerts for
 * Redis, fraud.alerts for ClickHouse). A record still in flight would look
 * like a mismatch, so verification checks this first. Not the fraud
 * detector: verify compares the sinks with its output topics, so its own
 * lag puts nothing in flight between them. Nor the ClickHouse sink's event
 * topics: verify does not check the events tables.
 */
import type { Admin } from '../../lib/kafka/clients';
import { consumerLag, totalLag } from '../../lib/admin/consumer-lag';
import type { AppConfig } from '../../lib/config';
import { topicNames } from '../../lib/topics';
import { pipelineService } from '../pipeline-services';

export interface ProjectionGroup {
  readonly group: string;
  readonly topics: readonly string[];
}

export interface GroupLag extends ProjectionGroup {
  readonly lag: number;
  /** No committed offset on any partition: the service never ran on this prefix (or its group was deleted). */
  readonly neverCommitted: boolean;
}

export function projectionGroups(config: AppConfig): ProjectionGroup[] {
  const topics = topicNames(config.topicPrefix);
  const group = (service: string) => pipelineService(service).group(config);
  return [
    { group: group('order-aggregator'), topics: [topics.orderEvents, topics.paymentEvents] },
    { group: group('redis-sink'), topics: [topics.orderState, topics.fraudCounters, topics.fraudAlerts] },
    { group: group('clickhouse-sink'), topics: [topics.orderState, topics.fraudAlerts] },
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
