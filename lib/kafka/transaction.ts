/**
 * One exactly-once commit (KIP-447, Kafka Streams' EOS v2): the records and
 * the consumed positions of every task of an instance in one transaction of
 * the instance's single producer. The positions go with the consumer group's
 * generation and member id, so the group coordinator refuses them from a
 * member the group has moved on from (a zombie): its transaction can only
 * abort, and nothing it wrote becomes visible.
 */
import type { Consumer } from '@platformatic/kafka';
import type { OutgoingRecord, RecordProducer } from './clients';

/** The group membership the positions are committed under, as it was when the transaction began. */
export interface GroupMembership {
  readonly consumer: Consumer;
  readonly generationId: number;
  readonly memberId: string;
}

export interface CommitPosition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume. */
  readonly offset: bigint;
}

export function currentMembership(consumer: Consumer): GroupMembership | undefined {
  if (consumer.memberId === null || consumer.generationId < 0) return undefined;
  return { consumer, generationId: consumer.generationId, memberId: consumer.memberId };
}

const EMPTY = Buffer.alloc(0);

type Transaction = Awaited<ReturnType<RecordProducer['beginTransaction']>>;
type OffsetMessage = Parameters<Transaction['addOffset']>[0];

/**
 * Sends every chunk (each one produce request: a chunk bounds what one
 * request carries), then the positions, then commits. Throws on any
 * failure, after an abort attempt bounded by `abortWithinMs`; the caller
 * cannot know whether the commit landed when the failure came at the end
 * (a broker gone during EndTxn), and must find out from Kafka.
 */
export async function commitTransaction(
  producer: RecordProducer,
  chunks: ReadonlyArray<OutgoingRecord[]>,
  positions: readonly CommitPosition[],
  membership: GroupMembership,
  abortWithinMs: number,
): Promise<void> {
  const transaction = await producer.beginTransaction();
  try {
    for (const messages of chunks) await transaction.send({ messages });
    if (positions.length > 0) {
      await transaction.addConsumer(membership.consumer);
      const coordinatorId = membership.consumer.coordinatorId ?? -1;
      // one at a time: the client runs overlapping offset commits of a transaction as one, and commits only the first
      for (const { topic, partition, offset } of positions) {
        const message = {
          topic,
          partition,
          // the client commits the message's offset + 1
          offset: offset - 1n,
          key: undefined,
          value: undefined,
          headers: new Map(),
          timestamp: 0n,
          metadata: { consumer: { groupId: membership.consumer.groupId, generationId: membership.generationId, memberId: membership.memberId, coordinatorId } },
        } as unknown as OffsetMessage;
        await transaction.addOffset(message);
      }
    }
    await transaction.commit();
  } catch (error) {
    await abortWithin(transaction, abortWithinMs);
    throw error;
  }
}

/** Only to release the outputs' last stable offset sooner: the caller starts a new producer, which aborts whatever is still open. */
async function abortWithin(transaction: Transaction, ms: number): Promise<void> {
  if (transaction.completed) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([transaction.abort().catch(() => undefined), timedOut]);
  clearTimeout(timer);
}

/**
 * Aborts, in one empty transaction of a newly initialized producer,
 * whatever earlier epochs of its transactional id left without a marker in
 * these partitions and in the group's offsets. A broker that crashed while
 * it ended a transaction can lose its markers: the old epoch's records then
 * stay open (the next commit marker of the same producer id would commit
 * them) and the group's offsets stay pending (UNSTABLE_OFFSET_COMMIT) for
 * good.
 */
export async function abortLeftovers(
  producer: RecordProducer,
  partitions: ReadonlyArray<{ readonly topic: string; readonly partition: number }>,
  consumer: Consumer,
): Promise<void> {
  const transaction = await producer.beginTransaction();
  const metadata = await producer.metadata({ topics: [...new Set(partitions.map((p) => p.topic))] });
  // the partitions join the transaction without a record written (the client reads only topic and partition here)
  await transaction.addPartitions(
    metadata,
    partitions.map(({ topic, partition }) => ({ topic, partition, value: EMPTY })),
  );
  await transaction.addConsumer(consumer);
  await transaction.abort();
}
