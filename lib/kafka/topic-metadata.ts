/** What the cluster's metadata says about topics: whether they exist, their partitions and whether each has a leader. */
import type { Admin, Consumer } from '@platformatic/kafka';
import { isUnknownTopic } from './errors';

/** Any client: each can ask for metadata. */
type Client = Admin | Consumer;

/** The topic's partition numbers; throws, saying so, for a topic that does not exist. */
export async function topicPartitions(client: Client, topic: string): Promise<number[]> {
  try {
    const metadata = await client.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    return Array.from({ length: count }, (_, partition) => partition);
  } catch (error) {
    if (isUnknownTopic(error)) throw new Error(`topic ${topic} does not exist (scripts/topics lists and creates the pipeline's topics)`, { cause: error });
    throw error;
  }
}

/** True when every topic exists and each of its partitions has a leader; false while the broker does not know one of them yet. */
export async function topicsHaveLeaders(admin: Admin, topics: readonly string[]): Promise<boolean> {
  try {
    const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true });
    return topics.every((name) => {
      const topic = metadata.topics.get(name);
      return topic !== undefined && topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0);
    });
  } catch (error) {
    if (isUnknownTopic(error)) return false;
    throw error;
  }
}

/** Partition counts of existing topics. */
export async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const metadata = await admin.metadata({ topics: [...topics], forceUpdate: true });
  return new Map(topics.map((name) => [name, metadata.topics.get(name)?.partitionsCount ?? 0]));
}
