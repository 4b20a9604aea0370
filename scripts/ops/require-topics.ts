/** Stops with a clear message when the pipeline's topics are not there (another TOPIC_PREFIX, or never provisioned). */
import type { Admin } from 'kafkajs';

export async function requireTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    throw new Error(`Kafka has no topic ${missing.join(', ')}: wrong TOPIC_PREFIX, or the topics were never provisioned (npm run topics, or scripts/pipeline)?`);
  }
}
