/**
 * A plain member of a consumer group, for tests that need one (a group that
 * reads and commits, or one that merely has a member): it joins, reads from
 * the group's committed offsets (the log start where none) and commits each
 * record it hands over. The client's own message stream, which is enough for
 * non-transactional input.
 */
import type { KafkaConfig } from '../../../lib/config';
import { createConsumer } from '../../../lib/kafka/clients';

export interface GroupMemberHandle {
  /** Leaves the group (after the commits of what was handed over). */
  close(): Promise<void>;
}

export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** The wire values of the isolation levels (FetchIsolationLevels). */
const READ_UNCOMMITTED = 0;

/** Resolves once the member has joined the group. read_committed unless `readUncommitted`. */
export async function joinGroup(
  kafka: KafkaConfig,
  groupId: string,
  topics: readonly string[],
  onRecord: (record: ConsumedRecord) => void = () => undefined,
  options: { readonly readUncommitted?: boolean } = {},
): Promise<GroupMemberHandle> {
  const consumer = createConsumer(kafka, { clientId: groupId, groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, heartbeatIntervalMs: 1_000 });
  const stream = await consumer.consume({
    topics: [...topics],
    mode: 'committed',
    fallbackMode: 'earliest',
    maxWaitTime: 100,
    ...(options.readUncommitted ? { isolationLevel: READ_UNCOMMITTED } : {}),
  });
  const commits: Array<Promise<void>> = [];
  stream.on('data', (message) => {
    onRecord({ key: message.key ?? null, value: message.value ?? null });
    commits.push(Promise.resolve(message.commit()));
  });
  return {
    async close() {
      await Promise.all(commits);
      await stream.close();
      await consumer.close();
    },
  };
}
