/**
 * The baseline of a sink benchmark: raw kafkajs consuming the same topics
 * with the same fetch settings as the sink engine, doing nothing with the
 * records (no decoding, no commits). Timed from the group join to the last
 * record, so group coordination does not count on either side.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DEFAULT_SINK_FETCH } from '../runtime/sink-engine';

export interface ConsumeTiming {
  readonly records: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU this process used meanwhile (user + system, all threads), seconds. */
  readonly nodeCpu: number;
}

export async function rawConsume(kafka: Kafka, topics: readonly string[], expected: number, groupPrefix: string): Promise<ConsumeTiming> {
  const consumer = kafka.consumer({
    groupId: `${groupPrefix}raw-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: DEFAULT_SINK_FETCH.maxWaitTimeInMs,
    maxBytesPerPartition: DEFAULT_SINK_FETCH.maxBytesPerPartition,
    maxBytes: DEFAULT_SINK_FETCH.maxBytes,
  });
  let joinedAt = 0;
  let count = 0;
  let cpuAtJoin = process.cpuUsage();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (joinedAt !== 0) return;
    joinedAt = performance.now();
    cpuAtJoin = process.cpuUsage();
  });
  try {
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    const finished = await new Promise<number>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            count += batch.messages.length;
            if (count >= expected) resolve(performance.now());
          },
        })
        .catch(reject);
    });
    const cpu = process.cpuUsage(cpuAtJoin);
    const seconds = (finished - joinedAt) / 1000;
    return { records: count, seconds, perSecond: count / seconds, nodeCpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await consumer.disconnect();
  }
}
