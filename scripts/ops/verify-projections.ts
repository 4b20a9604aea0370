/**
 * Verification of the projections. Orders: the log folded by the aggregator
 * (log-fold.ts) against the Redis sink's hashes and the ClickHouse sink's
 * order_state, order by order (all of them, or a random sample) and by
 * status counts over each whole store. With every order checked, orders a
 * store holds that the log does not are mismatches too. Then the fraud
 * projections, always whole (verify-fraud.ts).
 */
import { foldLog } from './log-fold';
import { clickHouseMismatches, countByStatus, Mismatch, redisMismatches, statusCountMismatches } from './projection-check';
import { sample } from './sample';
import { clickHouseOrderRows, clickHouseStatusCounts, redisHashes, redisOrderIds, redisStatusCounts } from './sink-reads';
import { FraudVerifyOptions, FraudVerifyResult, verifyFraud } from './verify-fraud';

export interface VerifyOptions extends FraudVerifyOptions {
  /** How many orders to compare field by field (picked at random), or all. */
  readonly orders: number | 'all';
}

export interface StatusCounts {
  readonly log: ReadonlyMap<string, number>;
  readonly redis: ReadonlyMap<string, number>;
  readonly clickhouse: ReadonlyMap<string, number>;
}

export interface VerifyResult {
  /** Records of the event topics folded, and how many of them the aggregator dead-letters. */
  readonly records: number;
  readonly deadLettered: number;
  /** Orders the log folds into a state. */
  readonly orders: number;
  /** Orders compared field by field (with --orders all: also those only a store holds). */
  readonly checked: number;
  readonly statusCounts: StatusCounts;
  readonly mismatches: readonly Mismatch[];
  readonly fraud: FraudVerifyResult;
}

export async function verifyProjections(options: VerifyOptions): Promise<VerifyResult> {
  const { states, records, deadLettered } = await foldLog(options);
  const { redis, keys, clickhouse, database } = options;
  const logIds = [...states.keys()];
  const all = options.orders === 'all';
  const chosen = all ? logIds : sample(logIds, options.orders as number);
  const [hashes, rows] = await Promise.all([
    redisHashes(redis, keys.order, all ? [...new Set([...logIds, ...(await redisOrderIds(redis, keys))])] : chosen),
    clickHouseOrderRows(clickhouse, database, all ? 'all' : chosen),
  ]);
  const mismatches: Mismatch[] = [];
  for (const [id, hash] of hashes) mismatches.push(...redisMismatches(id, states.get(id), hash));
  const clickHouseIds = all ? new Set([...logIds, ...rows.keys()]) : chosen;
  for (const id of clickHouseIds) mismatches.push(...clickHouseMismatches(id, states.get(id), rows.get(id)));

  const statusCounts: StatusCounts = {
    log: countByStatus(states.values()),
    redis: await redisStatusCounts(redis, keys),
    clickhouse: await clickHouseStatusCounts(clickhouse, database),
  };
  mismatches.push(...statusCountMismatches('redis', statusCounts.log, statusCounts.redis));
  mismatches.push(...statusCountMismatches('clickhouse', statusCounts.log, statusCounts.clickhouse));
  const checked = new Set([...hashes.keys(), ...clickHouseIds]).size;
  return { records, deadLettered, orders: states.size, checked, statusCounts, mismatches, fraud: await verifyFraud(options) };
}
