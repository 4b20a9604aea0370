/**
 * Creates topics and waits until every partition has a leader. kafkajs's own
 * waitForLeaders gives up when the broker answers a metadata request for a
 * just-created topic with UNKNOWN_TOPIC_OR_PARTITION, which a loaded broker
 * does for a moment; this retries that answer until the deadline.
 */
import type { Admin, ITopicConfig } from 'kafkajs';

const WAIT_MS = 30_000;
const POLL_MS = 100;

export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[]): Promise<boolean> {
  const created = await admin.createTopics({ waitForLeaders: false, topics });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
      if (metadata.length === names.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        return created;
      }
    } catch (error) {
      if (!/UNKNOWN_TOPIC_OR_PARTITION|LEADER_NOT_AVAILABLE|does not host this topic-partition/i.test(`${(error as { type?: string }).type} ${(error as Error).message}`)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} have no leader ${WAIT_MS / 1000} s after creation: is the broker healthy (scripts/infra status)?`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
