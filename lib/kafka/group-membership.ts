/**
 * A consumer's membership of its group, for owners that read their
 * partitions themselves (partition-fetcher.ts) and only need to hear which
 * partitions are theirs, under which generation.
 *
 * Heartbeats and the rejoins a heartbeat asks for are the client's. Around
 * them: the first join, retried with backoff while Kafka is unreachable; a
 * join started here when the client gave up on a rejoin ('error'), or when
 * the member has been out of its group (or its owner waited for a join the
 * client does not start) for two sessions. Errors no retry fixes
 * (credentials, permissions) go to onFatal.
 */
import type { Consumer } from '@platformatic/kafka';
import type { Logger } from '../logger';
import { BackoffPolicy, KAFKA_RECOVERY_BACKOFF } from '../retry/backoff';
import { isFatalKafkaError } from './errors';
import { untilKafkaAnswers } from './until-kafka-answers';

export interface AssignedPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface GroupMemberOptions {
  readonly consumer: Consumer;
  readonly logger: Logger;
  /** The topics the owner reads (the consumer tracks them): assignments of other topics are left out. */
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  /** How long the coordinator waits for every member to rejoin. */
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly backoff?: BackoffPolicy;
  /** A join completed: its generation and this member's partitions (possibly none). Joins come in order; an owner handles them one at a time. */
  readonly onJoin: (generation: number, assignment: readonly AssignedPartition[]) => void;
  /** The group started a rebalance: positions committed under the current generation will soon be refused. */
  readonly onRebalance?: () => void;
  /** A heartbeat was answered: the coordinator is reachable. */
  readonly onContact?: () => void;
  /** A join this class started by itself, with why (for a metric). */
  readonly onRejoin?: (reason: string) => void;
  /** A fault no retry fixes: the owner should stop. */
  readonly onFatal: (error: Error) => void;
  /** The owner waits for a join (its work was refused for an old generation): one is started if none comes for two sessions. */
  readonly waitingForJoin?: () => boolean;
}

const WATCHDOG_INTERVAL_MS = 1_000;
/** A leader given nothing joins again after this (a join the client still has under way settles first). */
const EMPTY_LEADER_REJOIN_DELAY_MS = 1_000;
const MAX_EMPTY_LEADER_REJOINS = 3;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class GroupMember {
  private rejoining = false;
  private stopped = false;
  private inactiveSince: number | undefined;
  private joins = 0;
  private emptyLeaderJoins = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly options: GroupMemberOptions) {
    this.backoff = options.backoff ?? KAFKA_RECOVERY_BACKOFF;
    this.listen();
  }

  /** Joins the group, waiting (with backoff) while Kafka is unreachable; then watches the membership. Throws on a fault no retry fixes. */
  async join(): Promise<void> {
    await this.joinNow();
    if (this.watchdog !== undefined || this.stopped) return;
    this.watchdog = setInterval(() => this.watch(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
  }

  /** No join is started any more (the owner is stopping or failed); the membership stays until leave() or the session ends. */
  close(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
  }

  /** Leaves the group (forced: no message streams are open), so its partitions move at once; no join is started any more. */
  async leave(): Promise<void> {
    this.close();
    await this.options.consumer.leaveGroup(true);
  }

  private async joinNow(): Promise<void> {
    const { consumer, sessionTimeoutMs, rebalanceTimeoutMs, heartbeatIntervalMs, logger } = this.options;
    this.rejoining = true;
    try {
      await untilKafkaAnswers(
        'join the consumer group',
        () => consumer.joinGroup({ sessionTimeout: sessionTimeoutMs, rebalanceTimeout: rebalanceTimeoutMs, heartbeatInterval: heartbeatIntervalMs }),
        { logger, policy: this.backoff, stopped: () => this.stopped },
      );
    } finally {
      this.rejoining = false;
    }
  }

  private rejoin(reason: string): void {
    if (this.rejoining || this.stopped) return;
    this.options.logger.warn({ reason }, 'joining the consumer group again');
    this.options.onRejoin?.(reason);
    this.joinNow().catch((error: unknown) => {
      if (!this.stopped) this.options.onFatal(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private listen(): void {
    const { consumer, logger, topics } = this.options;
    consumer.on('consumer:group:join', (payload) => {
      this.inactiveSince = undefined;
      this.joins += 1;
      const assignment: AssignedPartition[] = [];
      for (const { topic, partitions } of payload.assignments ?? [])
        if (topics.includes(topic)) for (const partition of partitions) assignment.push({ topic, partition });
      this.options.onJoin(payload.generationId ?? consumer.generationId, assignment);
      this.checkLeaderAssignment(payload.isLeader === true, assignment.length);
    });
    consumer.on('consumer:group:rebalance', () => this.options.onRebalance?.());
    consumer.on('consumer:heartbeat:end', () => {
      this.inactiveSince = undefined;
      this.options.onContact?.();
    });
    consumer.on('consumer:heartbeat:stalled', () =>
      logger.warn({ sessionTimeoutMs: this.options.sessionTimeoutMs }, 'no heartbeat accepted for a while: the group coordinator is out of reach'),
    );
    consumer.on('error', (error: Error) => {
      if (this.stopped) return;
      if (isFatalKafkaError(error)) return this.options.onFatal(error);
      // a rejoin the client gave up on
      this.rejoin(`the consumer lost its group membership: ${errorText(error)}`);
    });
  }

  /**
   * The leader computes every member's assignment, so a leader left with no
   * partition of its topics means the assignment went wrong. Seen after a
   * broker hang: the coordinator logged "Setting empty assignments for
   * members" (the leader's SyncGroup had none for them) and the group's only
   * member sat with nothing, for good, since nobody joins again by itself.
   * Join again, a few times; a leader of more members than partitions can be
   * left empty on purpose, so it stops there.
   */
  private checkLeaderAssignment(isLeader: boolean, partitions: number): void {
    if (!isLeader || partitions > 0) {
      this.emptyLeaderJoins = 0;
      return;
    }
    this.emptyLeaderJoins += 1;
    if (this.emptyLeaderJoins > MAX_EMPTY_LEADER_REJOINS) {
      this.options.logger.warn(
        { joins: this.emptyLeaderJoins },
        'as the group leader this member still has no partitions after joining again: more members than partitions?',
      );
      return;
    }
    const joinsNow = this.joins;
    const timer = setTimeout(() => {
      // a later join settles it either way
      if (this.joins === joinsNow) this.rejoin('this member leads the group but was given no partitions');
    }, EMPTY_LEADER_REJOIN_DELAY_MS);
    timer.unref();
  }

  /** Out of the group, or waiting for a join, for two sessions without a join under way: join again. */
  private watch(): void {
    if (this.stopped) return;
    if (this.options.consumer.isActive() && !(this.options.waitingForJoin?.() ?? false)) {
      this.inactiveSince = undefined;
      return;
    }
    this.inactiveSince ??= Date.now();
    if (this.rejoining || Date.now() - this.inactiveSince < 2 * this.options.sessionTimeoutMs) return;
    this.inactiveSince = Date.now();
    this.rejoin('out of the group, or waiting for a join, for two sessions');
  }
}
