/**
 * The FraudCounters snapshot of one customer: every rule's open windows, for
 * the compacted fraud.counters topic (and from there Redis and ClickHouse).
 */
import type { FraudCounters, FraudWindowCounter } from '../../../schemas/generated/types';
import { isClosed } from '../windows';
import { FraudRulesConfig, windowSpecOf } from './config';
import { FRAUD_RULE_LIST } from './rule-names';
import type { RuleWindow } from './rule-window';

export interface CountersSnapshot {
  readonly customerId: string;
  /** The customer's current windows, any rule, any order. */
  readonly windows: readonly RuleWindow[];
  /** Version of the previous snapshot of this customer, 0 for the first: the new one is previousVersion + 1. */
  readonly previousVersion: number;
  /** Highest event time the task has seen: windows closed by then are left out. */
  readonly streamTime: number;
  /** occurredAt of the activity that changed the counters (event time, so replays give the same record). */
  readonly updatedAt: Date;
  readonly lastEventId: string | null;
}

function toCounter(window: RuleWindow): FraudWindowCounter {
  return {
    rule: window.rule,
    windowStart: new Date(window.window.start),
    windowEnd: new Date(window.window.end),
    value: window.aggregate.value,
    // The same bounded list the window dedupes with (config.maxEventIdsPerWindow).
    eventIds: [...window.aggregate.eventIds],
    alerted: window.aggregate.alerted,
  };
}

export function buildFraudCounters(snapshot: CountersSnapshot, config: FraudRulesConfig): FraudCounters {
  if (!Number.isSafeInteger(snapshot.previousVersion) || snapshot.previousVersion < 0) {
    throw new RangeError(`buildFraudCounters: previousVersion must be a non-negative integer, got ${snapshot.previousVersion}`);
  }
  // "Counters of windows that are still open (or within the grace period)" (FraudCounters.avsc).
  const open = snapshot.windows.filter((w) => !isClosed(windowSpecOf(config, w.rule), w.window, snapshot.streamTime));
  // Rule declaration order, then window start: equal inputs give byte-equal records.
  const rank = (w: RuleWindow): number => FRAUD_RULE_LIST.indexOf(w.rule);
  const sorted = [...open].sort((a, b) => rank(a) - rank(b) || a.window.start - b.window.start);
  return {
    customerId: snapshot.customerId,
    counters: sorted.map(toCounter),
    version: snapshot.previousVersion + 1,
    updatedAt: new Date(snapshot.updatedAt.getTime()),
    lastEventId: snapshot.lastEventId,
  };
}
