/**
 * Creates topics and waits until every partition has a leader: a broker
 * answers metadata requests for a just-created topic with
 * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE for a moment, and a
 * client that used the topic at once would fail.
 */
import { errorIds } from '../kafka/errors';
import type { Admin } from '../kafka/clients';
import { topicsHaveLeaders } from '../kafka/topic-metadata';

export interface TopicToCreate {
  readonly topic: string;
  /** the broker default (num.partitions) when absent */
  readonly numPartitions?: number;
  /** the broker default (default.replication.factor) when absent */
  readonly replicationFactor?: number;
  readonly configEntries?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

const WAIT_MS = 30_000;
const POLL_MS = 100;
// a partition whose leader is still being elected
const NOT_YET = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER']);

/**
 * Creates the topics (one request each: configs go per request) and waits
 * for their leaders. False when every topic already existed.
 */
export async function createTopicsAndWait(admin: Admin, topics: readonly TopicToCreate[]): Promise<boolean> {
  let created = false;
  for (const t of topics) {
    try {
      await admin.createTopics({
        topics: [
          {
            topic: t.topic,
            ...(t.numPartitions === undefined ? {} : { partitions: t.numPartitions }),
            ...(t.replicationFactor === undefined ? {} : { replicas: t.replicationFactor }),
          },
        ],
        configs: (t.configEntries ?? []).map(({ name, value }) => ({ name, value })),
      });
      created = true;
    } catch (error) {
      if (!errorIds(error).includes('TOPIC_ALREADY_EXISTS')) throw error;
    }
  }
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      if (await topicsHaveLeaders(admin, names)) return created;
    } catch (error) {
      if (!errorIds(error).some((id) => NOT_YET.has(id))) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${names.join(', ')} have no leader ${WAIT_MS / 1000} s after creation: is the broker healthy (scripts/infra status)?`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
