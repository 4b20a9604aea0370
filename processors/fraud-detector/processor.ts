/**
 * The fraud detector: per customer, event-time windowed counters over
 * customer.activity (orders per hour, amount and distinct cards per day,
 * declines per 10 minutes), in a window store with retention so expired
 * windows are purged. Writes each customer's open counters to the compacted
 * fraud.counters (also the store that versions them) and one FraudAlert per
 * customer, rule and window. Late events (past a window's grace) are counted
 * and logged by the runtime, not applied.
 *
 * Event time is tracked per upstream partition (each activity names the
 * orders/payments partition it came from): one partition's events arrive
 * in order, but the validator forwards several partitions' batches one
 * after another, hours apart in event time during a replay. So an activity
 * is late only against its own partition's clock, and windows are purged
 * by the watermark, the slowest partition's clock, as in Flink.
 */
import type { CustomerActivity, FraudCounters } from '../../schemas/generated/types';
import type { TopicNames } from '../../lib/topics';
import { avroStoreCodec, jsonStoreCodec, RecordCodec } from '../../lib/streaming/codec';
import type { InputRecord, ProcessorContext, ProcessorDefinition } from '../runtime/processor';
import type { TaggedValue } from '../../lib/serde';
import { retentionOf } from '../../lib/domain/windows';
import {
  applyActivity,
  buildFraudCounters,
  FRAUD_RULE_LIST,
  FraudRule,
  FraudRulesConfig,
  RuleWindow,
  rulesFor,
  WindowAggregate,
  windowSpecOf,
} from '../../lib/domain/fraud/rules';

export const FRAUD_WINDOWS_STORE = 'fraud-windows';
export const FRAUD_COUNTERS_STORE = 'fraud-counters';
export const SOURCE_CLOCKS_STORE = 'source-clocks';
export const FRAUD_REJECTION = { tombstone: 'TOMBSTONE', keyMismatch: 'KEY_MISMATCH' } as const;

export type ActivityMessage = TaggedValue & { readonly type: 'CustomerActivity'; readonly value: CustomerActivity };

/** One window store for every rule: keys are "<rule>/<customerId>". */
function windowKey(rule: FraudRule, customerId: string): string {
  return `${rule}/${customerId}`;
}

export function fraudDetector(topics: TopicNames, codec: RecordCodec, config: FraudRulesConfig, name = 'fraud-detector'): ProcessorDefinition<ActivityMessage> {
  const retentionMs = Math.max(...FRAUD_RULE_LIST.map((rule) => retentionOf(windowSpecOf(config, rule))));

  /** The customer's current windows of every rule (those a snapshot shows). */
  function currentWindows(ctx: ProcessorContext, customerId: string, streamTime: number): RuleWindow[] {
    const windows = ctx.windowStore<WindowAggregate>(FRAUD_WINDOWS_STORE);
    return FRAUD_RULE_LIST.flatMap((rule) => {
      const spec = windowSpecOf(config, rule);
      return windows
        .fetch(windowKey(rule, customerId), streamTime - spec.sizeMs - spec.graceMs, streamTime)
        .map(({ start, value }) => ({ rule, window: { start, end: start + spec.sizeMs }, aggregate: value }));
    });
  }

  return {
    name,
    inputs: [topics.customerActivity],
    outputs: [topics.fraudAlerts],
    tables: [],
    stores: [
      { kind: 'window', name: FRAUD_WINDOWS_STORE, changelogTopic: topics.fraudWindows, codec: jsonStoreCodec<WindowAggregate>(), retentionMs },
      {
        kind: 'key-value',
        name: FRAUD_COUNTERS_STORE,
        changelogTopic: topics.fraudCounters,
        codec: avroStoreCodec<FraudCounters>(codec, topics.fraudCounters, 'FraudCounters'),
      },
      { kind: 'key-value', name: SOURCE_CLOCKS_STORE, changelogTopic: topics.fraudSourceClocks, codec: jsonStoreCodec<number>() },
    ],
    process(record: InputRecord<ActivityMessage>, ctx: ProcessorContext): void {
      if (record.value === null) return ctx.reject(FRAUD_REJECTION.tombstone, `${record.topic} holds activities, not tombstones (key ${record.key})`);
      const activity = record.value.value;
      if (record.key !== activity.customerId) {
        return ctx.reject(FRAUD_REJECTION.keyMismatch, `activity ${activity.eventId} of customer ${activity.customerId} is keyed ${record.key}`);
      }
      const windows = ctx.windowStore<WindowAggregate>(FRAUD_WINDOWS_STORE);
      const clocks = ctx.keyValueStore<number>(SOURCE_CLOCKS_STORE);
      const source = `${activity.sourceTopic}/${activity.sourcePartition}`;
      const streamTime = clocks.get(source) ?? Number.NEGATIVE_INFINITY;
      // Windows starting at or before this were purged: an event for one of them is late
      // whatever its own partition's clock says (a partition seen for the first time has
      // no clock yet), or it would open the window afresh and alert a second time.
      const purgedUpTo = windows.streamTime() - retentionMs;
      let changed = false;
      for (const rule of rulesFor(activity)) {
        const spec = windowSpecOf(config, rule);
        const key = windowKey(rule, activity.customerId);
        const at = activity.occurredAt.getTime();
        const current = new Map(windows.fetch(key, at - spec.sizeMs + 1, at).map(({ start, value }) => [start, value]));
        const applied = applyActivity(rule, current, activity, config, Math.max(streamTime, purgedUpTo + spec.sizeMs + spec.graceMs));
        if (applied.late)
          ctx.lateRecord({
            rule,
            customerId: activity.customerId,
            eventId: activity.eventId,
            occurredAt: activity.occurredAt.toISOString(),
            streamTime: new Date(streamTime).toISOString(),
          });
        for (const { window, aggregate } of applied.changed) windows.put(key, window.start, aggregate);
        if (applied.alert) ctx.forward(topics.fraudAlerts, activity.customerId, { type: 'FraudAlert', value: applied.alert });
        changed ||= applied.changed.length > 0;
      }
      if (activity.occurredAt.getTime() > streamTime) clocks.put(source, activity.occurredAt.getTime());
      const watermark = Math.min(...[...clocks.entries()].map(([, time]) => time));
      windows.observe(watermark);
      if (!changed) return;
      const counters = ctx.keyValueStore<FraudCounters>(FRAUD_COUNTERS_STORE);
      const now = Math.max(watermark, activity.occurredAt.getTime());
      counters.put(
        activity.customerId,
        buildFraudCounters(
          {
            customerId: activity.customerId,
            windows: currentWindows(ctx, activity.customerId, now),
            previousVersion: counters.get(activity.customerId)?.version ?? 0,
            streamTime: now,
            updatedAt: activity.occurredAt,
            lastEventId: activity.eventId,
          },
          config,
        ),
      );
    },
  };
}
