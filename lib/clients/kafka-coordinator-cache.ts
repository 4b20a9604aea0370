/**
 * kafkajs 2.2 looks up a coordinator (a FindCoordinator round trip) before
 * every transactional request: AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit (the group's coordinator) and EndTxn each pay one, so a
 * transaction of one sendBatch, sendOffsets and commit makes four lookups
 * beside its five real requests. The Java client keeps the coordinators
 * until a request says they moved; this does the same for kafkajs, which
 * has no hook for it, by wrapping its Cluster and Broker classes once per
 * process:
 *
 * - only the lookups of transactional producers are cached: a client that
 *   looks up a transaction coordinator is one (kafkajs gives each producer
 *   its own), and its group lookups are those of sendOffsets. Consumers,
 *   group membership and admin calls are untouched;
 * - any error from a request sent to a cached coordinator, other than
 *   CONCURRENT_TRANSACTIONS (the previous transaction's markers are still
 *   being written: the coordinator is right), forgets the entry, so
 *   kafkajs's own retry looks it up again;
 * - an entry also expires after a while, in case a coordinator moved
 *   without any request failing yet.
 */
import { createRequire } from 'node:module';
import { isConcurrentTransactions } from './kafka-errors';

/** FindCoordinator's key types. */
const GROUP_COORDINATOR = 0;
const TRANSACTION_COORDINATOR = 1;
const ENTRY_TTL_MS = 30_000;

interface CachedCoordinator {
  readonly nodeId: number;
  readonly at: number;
}

/** Coordinator key (type and id) → the coordinator's node id, for ttlMs; no I/O. */
export class CoordinatorCache {
  private readonly entries = new Map<string, CachedCoordinator>();

  constructor(private readonly ttlMs = ENTRY_TTL_MS) {}

  get(key: string, now = Date.now()): number | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now - entry.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.nodeId;
  }

  set(key: string, nodeId: number, now = Date.now()): void {
    this.entries.set(key, { nodeId, at: now });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

/** A request to a transaction coordinator failed: does the coordinator stay trusted? */
export function keepsCoordinator(error: unknown): boolean {
  return isConcurrentTransactions(error);
}

interface LookupArgs {
  readonly groupId: string;
  readonly coordinatorType?: number;
}

interface BrokerLike {
  readonly nodeId: number;
}

interface ClusterPrototype {
  findGroupCoordinator(this: ClusterLike, args: LookupArgs): Promise<BrokerLike>;
}

interface ClusterLike extends ClusterPrototype {
  findBroker(args: { nodeId: number }): Promise<BrokerLike>;
}

interface CoordinatorRequestArgs {
  readonly transactionalId?: string;
  readonly groupId?: string;
}

type CoordinatorRequest = (this: unknown, args: CoordinatorRequestArgs) => Promise<unknown>;

function cacheKey(coordinatorType: number, id: string): string {
  return `${coordinatorType}:${id}`;
}

/** Broker requests sent to a cached coordinator, and which of their arguments names it. */
const COORDINATOR_REQUESTS: ReadonlyArray<readonly [string, (args: CoordinatorRequestArgs) => string | undefined]> = [
  ['initProducerId', (args) => args.transactionalId && cacheKey(TRANSACTION_COORDINATOR, args.transactionalId)],
  ['addPartitionsToTxn', (args) => args.transactionalId && cacheKey(TRANSACTION_COORDINATOR, args.transactionalId)],
  ['addOffsetsToTxn', (args) => args.transactionalId && cacheKey(TRANSACTION_COORDINATOR, args.transactionalId)],
  ['endTxn', (args) => args.transactionalId && cacheKey(TRANSACTION_COORDINATOR, args.transactionalId)],
  ['txnOffsetCommit', (args) => args.groupId && cacheKey(GROUP_COORDINATOR, args.groupId)],
];

let installed = false;

/** Installs the cache into kafkajs (once per process; later calls do nothing). */
export function installTransactionCoordinatorCache(cache = new CoordinatorCache()): void {
  if (installed) return;
  installed = true;
  // kafkajs' internals: its package has no exports map, and its public API no way in
  const load = createRequire(require.resolve('kafkajs'));
  const Cluster = load('./src/cluster') as { prototype: ClusterPrototype };
  const Broker = load('./src/broker') as { prototype: Record<string, CoordinatorRequest> };

  /** Clients of transactional producers: the first transaction-coordinator lookup marks one. */
  const transactional = new WeakSet<ClusterLike>();
  const lookup = Cluster.prototype.findGroupCoordinator;
  Cluster.prototype.findGroupCoordinator = async function cachedLookup(this: ClusterLike, args: LookupArgs): Promise<BrokerLike> {
    const type = args.coordinatorType ?? GROUP_COORDINATOR;
    if (type === TRANSACTION_COORDINATOR) transactional.add(this);
    else if (type !== GROUP_COORDINATOR || !transactional.has(this)) return lookup.call(this, args);
    const key = cacheKey(type, args.groupId);
    const nodeId = cache.get(key);
    if (nodeId !== undefined) {
      try {
        return await this.findBroker({ nodeId });
      } catch {
        cache.forget(key); // the broker left the cluster: look it up afresh
      }
    }
    const broker = await lookup.call(this, args);
    cache.set(key, broker.nodeId);
    return broker;
  };

  for (const [name, keyOf] of COORDINATOR_REQUESTS) {
    const request = Broker.prototype[name];
    if (typeof request !== 'function') throw new Error(`kafkajs has no Broker.${name} any more: the coordinator cache needs updating`);
    Broker.prototype[name] = async function forgettingOnError(this: unknown, args: CoordinatorRequestArgs) {
      try {
        return await request.call(this, args);
      } catch (error) {
        const key = keyOf(args);
        if (key !== undefined && !keepsCoordinator(error)) cache.forget(key);
        throw error;
      }
    };
  }
}
