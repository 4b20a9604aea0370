/**
 * Registry subject names. Several record types share a topic (to keep one
 * aggregate's events in order), so subjects follow Confluent's
 * TopicRecordNameStrategy: one subject, with its own compatibility history,
 * per (topic, record) pair.
 */
export function subjectName(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}
