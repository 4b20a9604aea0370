/**
 * Empties topics by deleting and creating them again with their declared
 * settings. Compacted topics refuse DeleteRecords (the broker's policy), so
 * this is the one way to clear a changelog; consumers' committed offsets on
 * the old topics mean nothing afterwards and must be reset by the caller.
 */
import type { Admin } from '../kafka/clients';
import { errorIds, isUnknownTopic } from '../kafka/errors';
import { topicOffsets } from '../kafka/topic-offsets';
import type { Logger } from '../logger';
import { TOPICS } from '../topics';
import { provisionTopics } from './provision-topics';
import { desiredTopics } from './topic-plan';

const WAIT_MS = 60_000;
const POLL_MS = 200;

// What a broker answers about a topic deleted or created a moment ago, until its metadata settles.
const SETTLING = new Set(['NOT_LEADER_OR_FOLLOWER', 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID', 'LEADER_NOT_AVAILABLE', 'TOPIC_ALREADY_EXISTS']);

async function settledCheck(condition: () => Promise<boolean>): Promise<boolean> {
  try {
    return await condition();
  } catch (error) {
    if (isUnknownTopic(error) || errorIds(error).some((id) => SETTLING.has(id))) return false;
    throw error;
  }
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await settledCheck(condition))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${WAIT_MS / 1000} s: is the broker healthy (scripts/infra status)?`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Deletes and recreates the named topics (names under `prefix`, declared in lib/topics.ts). */
export async function recreateTopics(admin: Admin, names: readonly string[], prefix: string, logger: Logger): Promise<void> {
  const plan = desiredTopics(TOPICS, { prefix }).filter((t) => names.includes(t.name));
  const unknown = names.filter((name) => !plan.some((t) => t.name === name));
  if (unknown.length > 0) throw new Error(`not a declared topic under prefix "${prefix}": ${unknown.join(', ')} (see lib/topics.ts)`);
  const existing = new Set(await admin.listTopics());
  const present = names.filter((name) => existing.has(name));
  if (present.length > 0) {
    await admin.deleteTopics({ topics: present });
    await until(`deleting ${present.join(', ')}`, async () => {
      const left = new Set(await admin.listTopics());
      return present.every((name) => !left.has(name));
    });
  }
  // a broker may still be dropping the old partitions: create until every topic exists and is empty
  await until(`recreating ${names.join(', ')}`, async () => {
    await provisionTopics(admin, plan, { logger });
    for (const name of names) {
      const offsets = await topicOffsets(admin, name);
      if (offsets.some((o) => o.high !== 0)) return false;
    }
    return true;
  });
  logger.info({ topics: names }, 'topics recreated empty');
}
