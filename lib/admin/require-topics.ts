/**
 * Fails fast, with the fix, when topics a service or tool needs do not
 * exist: otherwise kafkajs only says "This server does not host this
 * topic-partition", far from the cause (usually topics never provisioned, or
 * a TOPIC_PREFIX that does not match the provisioned set).
 */
import type { Admin, Kafka } from 'kafkajs';

export class MissingTopicsError extends Error {
  override readonly name = 'MissingTopicsError';
}

export async function requireTopics(admin: Admin, topics: readonly string[], who: string, topicPrefix: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  throw new MissingTopicsError(
    `${who} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist: provision the topics with scripts/topics (TOPIC_PREFIX="${topicPrefix}"; is that the prefix you meant?)`,
  );
}

/** requireTopics with an admin client of its own, for services at start-up. */
export async function requireTopicsOnStart(kafka: Kafka, topics: readonly string[], who: string, topicPrefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await requireTopics(admin, topics, who, topicPrefix);
  } finally {
    await admin.disconnect();
  }
}
