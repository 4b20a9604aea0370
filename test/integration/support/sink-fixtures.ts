/**
 * Input for sink tests: derived-topic records (sinks/bench/derived-records.ts)
 * addressed to a test pipeline's prefixed topics, and the projection a
 * sink must end with.
 */
import type { FraudAlert, FraudCounters, OrderState } from '../../../schemas/generated/types';
import { fraudRecords, KeyedState, latestByKey, orderStateChangelog } from '../../../sinks/bench/derived-records';
import type { OutgoingRecord, TestPipeline } from './pipeline';
import type { ExpectedProjection } from './redis-dump';

export interface SinkInput {
  readonly states: KeyedState<OrderState>[];
  readonly counters: KeyedState<FraudCounters>[];
  readonly alerts: KeyedState<FraudAlert>[];
}

export function sinkInput(seed: number, sizes: { orders: number; customers: number; versions: number }): SinkInput {
  const { counters, alerts } = fraudRecords({ seed, customers: sizes.customers, versions: sizes.versions });
  // alerts arrive in any order: reversing them checks the kept set does not depend on it
  return { states: orderStateChangelog({ seed, orders: sizes.orders }), counters, alerts: [...alerts].reverse() };
}

export function sinkRecords(pipeline: TestPipeline, input: Partial<SinkInput>): OutgoingRecord[] {
  return [
    ...(input.states ?? []).map(({ key, value }) => ({ topic: pipeline.topics.orderState, key, value: { type: 'OrderState', value } })),
    ...(input.counters ?? []).map(({ key, value }) => ({ topic: pipeline.topics.fraudCounters, key, value: { type: 'FraudCounters', value } })),
    ...(input.alerts ?? []).map(({ key, value }) => ({ topic: pipeline.topics.fraudAlerts, key, value: { type: 'FraudAlert', value } })),
  ];
}

export function expectedProjection(input: SinkInput): ExpectedProjection {
  return { orders: latestByKey(input.states), counters: latestByKey(input.counters), alerts: input.alerts.map((a) => a.value) };
}

export function redisSinkTopics(pipeline: TestPipeline): string[] {
  return [pipeline.topics.orderState, pipeline.topics.fraudCounters, pipeline.topics.fraudAlerts];
}
