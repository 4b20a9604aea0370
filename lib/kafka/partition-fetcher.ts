/**
 * Reads assigned partitions from their leaders at positions the owner sets,
 * read_committed: the runtime's fetch loop. The owner assigns, pauses,
 * resumes and seeks partitions one by one (a rebuild pauses one partition,
 * a rollback seeks it back) — per-partition control the client's message
 * streams do not offer.
 *
 * One fetch request per leader at a time. The next round is in flight while
 * the owner handles the last one, so reading and processing overlap; a
 * partition sought, paused or released meanwhile has its data dropped,
 * whether still in flight or waiting in the round being handled (each change
 * bumps the partition's version; a batch is delivered only at the version it
 * was fetched for). Batches reach the owner in order, one at a time (onBatch
 * is awaited). An owner that handles a batch only after waiting (for a lock
 * its rollback holds, say) asks `current()` then: a seek made meanwhile
 * makes the batch stale, and processing it would skip what lies between the
 * sought position and the batch.
 *
 * Aborted transactions are filtered here (committed-batches.ts), not by the
 * client: a producer may have several aborted transactions in one response.
 */
import { IS_TRANSACTIONAL, ListOffsetTimestamps, protocolErrorsCodesById, type ClusterMetadata, type Consumer, type RecordsBatch } from '@platformatic/kafka';
import type { Logger } from '../logger';
import { BackoffPolicy, backoffDelay, KAFKA_RECOVERY_BACKOFF } from '../retry/backoff';
import { committedBatches } from './committed-batches';
import { errorIds } from './errors';

export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The first value of each header, as text. */
  readonly headers: Record<string, string>;
  readonly timestamp: number;
  /** The producer of the record's batch (tools that check who wrote what: fencing tests, say). */
  readonly producer?: BatchProducer;
}

export interface BatchProducer {
  /** -1 for a producer without idempotence */
  readonly id: string;
  readonly epoch: number;
  readonly transactional: boolean;
}

export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Committed (or non-transactional) records only, in offset order; may be empty when the response held only markers or aborted data. */
  readonly records: readonly FetchedRecord[];
  /** The offset after everything this response covered for the partition, markers and aborted records included. */
  readonly nextOffset: string;
  readonly highWatermark: string;
}

export interface PartitionFetcherOptions {
  /** The client that fetches (a group member, or a consumer never joined for plain reads). */
  readonly consumer: Consumer;
  readonly logger: Logger;
  /** `current()` stays true until the partition is sought, paused or released after this batch was fetched. */
  readonly onBatch: (batch: FetchedBatch, current: () => boolean) => Promise<void> | void;
  /** Every answered fetch round, data or not: the broker is reachable. */
  readonly onFetch?: () => void;
  /** The broker waits this long for data before answering an empty fetch. */
  readonly maxWaitMs?: number;
  readonly maxBytesPerPartition?: number;
  /** Bounds each fetch response's data over all its partitions (the broker still sends at least one batch). */
  readonly maxBytes?: number;
  readonly backoff?: BackoffPolicy;
}

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  position: bigint;
  paused: boolean;
  version: number;
}

/** A fetched batch with the partition state and version it was fetched for. */
interface Delivery {
  readonly batch: FetchedBatch;
  readonly state: PartitionState;
  readonly version: number;
}

interface Requested {
  readonly state: PartitionState;
  readonly version: number;
  readonly offset: bigint;
}

/** Partition errors after which the partition's leader must be looked up again. */
const STALE_METADATA = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_ID',
  'KAFKA_STORAGE_ERROR',
  'REPLICA_NOT_AVAILABLE',
]);
const IDLE_WAIT_MS = 100;
const MAX_BYTES = 32 * 1024 * 1024;

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class PartitionFetcher {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly maxWaitMs: number;
  private readonly maxBytesPerPartition: number;
  private readonly maxBytes: number;
  private readonly backoff: BackoffPolicy;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private refreshMetadata = true;
  private failures = 0;

  constructor(private readonly options: PartitionFetcherOptions) {
    this.maxWaitMs = options.maxWaitMs ?? 50;
    this.maxBytesPerPartition = options.maxBytesPerPartition ?? 4 * 1024 * 1024;
    this.maxBytes = options.maxBytes ?? MAX_BYTES;
    this.backoff = options.backoff ?? KAFKA_RECOVERY_BACKOFF;
  }

  /** Starts reading the partition at `offset` (replacing whatever was assigned for it). */
  assign(topic: string, partition: number, offset: bigint, paused = false): void {
    const previous = this.partitions.get(key(topic, partition));
    this.partitions.set(key(topic, partition), { topic, partition, position: offset, paused, version: (previous?.version ?? 0) + 1 });
    this.nudge();
  }

  release(topic: string, partition: number): void {
    const state = this.partitions.get(key(topic, partition));
    if (state === undefined) return;
    state.version += 1;
    this.partitions.delete(key(topic, partition));
  }

  releaseAll(): void {
    for (const state of this.partitions.values()) state.version += 1;
    this.partitions.clear();
  }

  assigned(): Array<{ topic: string; partition: number }> {
    return [...this.partitions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  pause(topic: string, partition: number): void {
    const state = this.partitions.get(key(topic, partition));
    if (state === undefined || state.paused) return;
    state.paused = true;
    state.version += 1;
  }

  resume(topic: string, partition: number): void {
    const state = this.partitions.get(key(topic, partition));
    if (state === undefined || !state.paused) return;
    state.paused = false;
    state.version += 1;
    this.nudge();
  }

  seek(topic: string, partition: number, offset: bigint): void {
    const state = this.partitions.get(key(topic, partition));
    if (state === undefined) return;
    state.position = offset;
    state.version += 1;
    this.nudge();
  }

  position(topic: string, partition: number): bigint | undefined {
    return this.partitions.get(key(topic, partition))?.position;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run().catch((error: unknown) => {
      // onBatch threw: the owner's error, not a fetch error; reading stops and the owner learns it from stop()
      this.running = false;
      throw error;
    });
    this.loop.catch(() => undefined);
  }

  /** Settles when reading ended: rejects with the error onBatch threw, if it did. */
  done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Stops reading; resolves when no round is in flight. Rejects with the error onBatch threw, if it did. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  private nudge(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    let inFlight: Promise<Delivery[] | undefined> | undefined;
    while (this.running) {
      const round = await (inFlight ?? this.fetchRound());
      inFlight = undefined;
      if (!this.running) break;
      if (round === undefined) {
        await this.idle(IDLE_WAIT_MS);
        continue;
      }
      // the next round reads on while this one is handled
      inFlight = this.fetchRound();
      inFlight.catch(() => undefined);
      for (const { batch, state, version } of round) {
        if (!this.running) break;
        const current = () => state.version === version && this.partitions.get(key(batch.topic, batch.partition)) === state;
        // sought, paused or released while the round was handled (a rollback of the owner's, say): stale
        if (!current()) continue;
        await this.options.onBatch(batch, current);
      }
    }
    await inFlight;
  }

  /** One fetch per leader, in parallel; undefined when nothing could be fetched (nothing assigned, or a failure already waited for). */
  private async fetchRound(): Promise<Delivery[] | undefined> {
    const wanted = [...this.partitions.values()].filter((state) => !state.paused);
    if (wanted.length === 0) return undefined;
    let metadata: ClusterMetadata;
    try {
      metadata = await this.options.consumer.metadata({ topics: [...new Set(wanted.map((s) => s.topic))], forceUpdate: this.refreshMetadata });
      this.refreshMetadata = false;
    } catch (error) {
      await this.failed(error, 'metadata');
      return undefined;
    }
    const byNode = new Map<number, Requested[]>();
    for (const state of wanted) {
      const leader = metadata.topics.get(state.topic)?.partitions[state.partition]?.leader;
      if (leader === undefined || leader < 0) {
        this.refreshMetadata = true;
        continue;
      }
      const list = byNode.get(leader) ?? [];
      list.push({ state, version: state.version, offset: state.position });
      byNode.set(leader, list);
    }
    if (byNode.size === 0) {
      await this.failed(new Error('no leader known for the assigned partitions'), 'metadata');
      return undefined;
    }
    const rounds = await Promise.all([...byNode].map(async ([node, requested]) => this.fetchFrom(node, requested, metadata)));
    this.options.onFetch?.();
    return rounds.flat();
  }

  private async fetchFrom(node: number, requested: Requested[], metadata: ClusterMetadata): Promise<Delivery[]> {
    const byTopic = new Map<string, Requested[]>();
    for (const r of requested) byTopic.set(r.state.topic, [...(byTopic.get(r.state.topic) ?? []), r]);
    const topicNames = new Map<string, string>();
    const topics = [...byTopic].map(([topic, list]) => {
      const topicId = metadata.topics.get(topic)!.id;
      topicNames.set(topicId, topic);
      return {
        topicId,
        partitions: list.map((r) => ({
          partition: r.state.partition,
          fetchOffset: r.offset,
          partitionMaxBytes: this.maxBytesPerPartition,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        })),
      };
    });
    let response: FetchResponse;
    try {
      response = await this.options.consumer.fetch({ node, topics, maxWaitTime: this.maxWaitMs, maxBytes: this.maxBytes });
    } catch (error) {
      // a partition refused (moved leader, out of range) comes with the rest of the response
      const partial = (error as { response?: FetchResponse }).response;
      if (partial === undefined || !Array.isArray(partial.responses)) {
        await this.failed(error, 'fetch');
        return [];
      }
      response = partial;
    }
    this.failures = 0;
    const requestedBy = new Map(requested.map((r) => [key(r.state.topic, r.state.partition), r]));
    const batches: Delivery[] = [];
    for (const topicResponse of response.responses) {
      const topic = topicNames.get(topicResponse.topicId);
      if (topic === undefined) continue;
      for (const p of topicResponse.partitions) {
        const r = requestedBy.get(key(topic, p.partitionIndex));
        // not asked for (a partition lingering in the fetch session), or changed since the request
        if (r === undefined || r.state.version !== r.version || this.partitions.get(key(topic, p.partitionIndex)) !== r.state) continue;
        // data for a position already moved past (the partition twice in one response): never delivered twice
        if (r.state.position !== r.offset) continue;
        if (p.errorCode !== 0) {
          await this.partitionError(r.state, protocolErrorsCodesById[p.errorCode] ?? String(p.errorCode), p.logStartOffset);
          continue;
        }
        const raw = p.records ?? [];
        if (raw.length === 0) continue;
        const last = raw[raw.length - 1]!;
        const nextOffset = last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
        if (nextOffset <= r.offset) continue;
        r.state.position = nextOffset;
        const batch = {
          topic,
          partition: p.partitionIndex,
          records: records(committedBatches(raw, p.abortedTransactions), r.offset),
          nextOffset: nextOffset.toString(),
          highWatermark: p.highWatermark.toString(),
        };
        batches.push({ batch, state: r.state, version: r.state.version });
      }
    }
    return batches;
  }

  private async partitionError(state: PartitionState, id: string, logStartOffset: bigint): Promise<void> {
    if (STALE_METADATA.has(id)) {
      this.refreshMetadata = true;
      return;
    }
    if (id === 'OFFSET_OUT_OF_RANGE') {
      // the position is gone (retention, a recreated topic): read on from the log start, as auto.offset.reset=earliest
      let start = logStartOffset;
      if (start < 0n) {
        const offsets = await this.options.consumer
          .listOffsets({ topics: [state.topic], partitions: { [state.topic]: [state.partition] }, timestamp: ListOffsetTimestamps.EARLIEST })
          .catch(() => undefined);
        start = offsets?.get(state.topic)?.[state.partition] ?? -1n;
      }
      if (start >= 0n) {
        this.options.logger.warn(
          { topic: state.topic, partition: state.partition, position: state.position.toString(), logStart: start.toString() },
          'position out of range; reading from the log start',
        );
        state.position = start;
        state.version += 1;
      }
      return;
    }
    this.options.logger.warn({ topic: state.topic, partition: state.partition, error: id }, 'fetch refused for the partition; retrying');
  }

  private async failed(error: unknown, what: string): Promise<void> {
    this.refreshMetadata = true;
    const delayMs = backoffDelay(this.backoff, this.failures++);
    this.options.logger.warn(
      { err: error instanceof Error ? error.message : String(error), errors: errorIds(error), what, retryInMs: delayMs },
      'cannot read from Kafka; retrying',
    );
    await this.idle(delayMs);
  }
}

/** The records of the batches from `from` on (a batch may start before the position asked for). */
function records(batches: readonly RecordsBatch[], from: bigint): FetchedRecord[] {
  const result: FetchedRecord[] = [];
  for (const batch of batches) {
    const producer = { id: batch.producerId.toString(), epoch: batch.producerEpoch, transactional: (batch.attributes & IS_TRANSACTIONAL) !== 0 };
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      const headers: Record<string, string> = {};
      for (const [name, value] of record.headers) {
        if (name === null || value === null) continue;
        const text = name.toString();
        if (!(text in headers)) headers[text] = value.toString();
      }
      result.push({
        offset: offset.toString(),
        key: record.key,
        value: record.value,
        headers,
        timestamp: Number(batch.firstTimestamp + record.timestampDelta),
        producer,
      });
    }
  }
  return result;
}
