/**
 * What the fraud detector's output topics say the fraud projections must
 * hold: fraud.counters read to its end as a compacted topic is meant to be
 * read (compacted-view.ts), and every alert of fraud.alerts in log order.
 *
 * Records the sinks cannot apply are skipped and counted: undecodable ones
 * and values of another type (both dead-lettered by the sinks), counters
 * not keyed by their customerId (refused by the Redis sink), and alert
 * tombstones (fraud.alerts holds events, which are never deleted). An alert
 * not keyed by its customerId is the ClickHouse sink's only: the Redis sink
 * refuses it, as it files alerts under the record key.
 */
import { DecodeError } from '../../lib/serde';
import type { FraudAlert, FraudAlertMessage, FraudCounters, FraudCountersMessage } from '../../schemas/generated/types';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { FetchedRecord } from '../../lib/kafka/partition-fetcher';
import { readPartitionsToEnd } from '../../lib/kafka/topic-reader';
import { applyToView } from './compacted-view';
import type { LogFoldOptions } from './log-fold';

export interface TopicTally {
  readonly records: number;
  /** Records the sinks cannot apply (see above). */
  readonly skipped: number;
}

export interface FraudLog {
  /** Each customer's latest counters, by record key (the customerId). */
  readonly counters: ReadonlyMap<string, FraudCounters>;
  /** Every alert in log order, redeliveries included: what the ClickHouse sink applies. */
  readonly alerts: readonly FraudAlert[];
  /** Of those, the ones keyed by their customerId: what the Redis sink applies. */
  readonly keyedAlerts: readonly FraudAlert[];
  readonly countersRead: TopicTally;
  readonly alertsRead: TopicTally;
}

type FraudMessage = FraudCountersMessage | FraudAlertMessage;

/** The record's value if it decodes to `type`; null for a tombstone; undefined when the sinks cannot apply it. */
async function decodeAs<M extends FraudMessage>(
  codec: RecordCodec,
  topic: string,
  message: FetchedRecord,
  type: M['type'],
): Promise<M['value'] | null | undefined> {
  if (message.value === null) return null;
  try {
    const decoded = await codec.decode(topic, message.value);
    return decoded.type === type ? (decoded as M).value : undefined;
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

export async function readFraudLog(options: LogFoldOptions): Promise<FraudLog> {
  const { kafka, topics, codec, logger } = options;
  /** `apply` says whether the record counts (false: skipped). */
  const read = async <M extends FraudMessage>(
    topic: string,
    type: M['type'],
    apply: (key: string | null, value: M['value'] | null) => boolean,
  ): Promise<TopicTally> => {
    let records = 0;
    let skipped = 0;
    await readPartitionsToEnd({
      kafka,
      topic,
      clientId: 'verify',
      logger,
      onProgress: (progress) => options.onProgress?.(topic, progress),
      onBatch: async (_partition, messages) => {
        for (const message of messages) {
          records += 1;
          const value = await decodeAs<M>(codec, topic, message, type);
          if (value === undefined || !apply(message.key?.toString('utf8') ?? null, value)) skipped += 1;
        }
      },
    });
    return { records, skipped };
  };

  const counters = new Map<string, FraudCounters>();
  const countersRead = await read<FraudCountersMessage>(topics.fraudCounters, 'FraudCounters', (key, value) => {
    if (key === null || (value !== null && value.customerId !== key)) return false;
    applyToView(counters, key, value);
    return true;
  });
  const alerts: FraudAlert[] = [];
  const keyedAlerts: FraudAlert[] = [];
  const alertsRead = await read<FraudAlertMessage>(topics.fraudAlerts, 'FraudAlert', (key, value) => {
    if (value === null) return false;
    alerts.push(value);
    if (value.customerId === key) keyedAlerts.push(value);
    return true;
  });
  return { counters, alerts, keyedAlerts, countersRead, alertsRead };
}
