/**
 * One rule's aggregate over one window, and how an activity is added to it,
 * idempotently: the window keeps the eventIds it counted, so a replayed or
 * redelivered activity (same eventId) changes nothing.
 *
 * Bounded: a window keeps at most config.maxEventIdsPerWindow ids. Dedupe
 * needs every id counted, so rather than forget old ids (and double count
 * their replays) a full window is SATURATED: it counts nothing more. Its
 * value then is a lower bound, which is harmless for alerting because
 * config validation keeps count thresholds at or below the cap (the window
 * has alerted before it saturates). With the default windows a customer
 * would need 1000 orders in a day, or 1000 declines in 10 minutes, to get
 * there.
 */
import type { CustomerActivity } from '../../../schemas/generated/types';
import type { FraudRulesConfig } from './config';
import type { FraudRule } from './rule-names';
import { RULE_MEASURES, counts, reachesThreshold } from './rule-measures';

export interface WindowAggregate {
  /** A count, cents (order-amount) or the number of distinct cards (distinct-cards). */
  readonly value: number;
  /** eventIds counted, in the order they were added: the dedupe set. */
  readonly eventIds: readonly string[];
  /** Distinct card fingerprints counted, first seen first (distinct-cards only; [] otherwise). */
  readonly distinct: readonly string[];
  /**
   * The window raised its alert, or held the activity that raised one in an
   * overlapping window of the same rule (see apply-activity.ts): it never
   * fires again.
   */
  readonly alerted: boolean;
}

export const EMPTY_WINDOW_AGGREGATE: WindowAggregate = { value: 0, eventIds: [], distinct: [], alerted: false };

/**
 * `added`: counted. `duplicate`: its eventId was already counted.
 * `saturated`: the window is full (see above). `not-counted`: the rule does
 * not read this kind of activity. Only `added` changes the aggregate.
 */
export type AdditionOutcome = 'added' | 'duplicate' | 'saturated' | 'not-counted';

export interface WindowAddition {
  readonly aggregate: WindowAggregate;
  readonly outcome: AdditionOutcome;
  /**
   * This addition made the value reach the threshold and the window had not
   * alerted yet: the caller emits the alert. The returned aggregate is
   * already marked alerted, so writing it back (in the same transaction as
   * the alert) is what prevents a second one.
   */
  readonly crossed: boolean;
}

function nextValue(rule: FraudRule, aggregate: WindowAggregate, activity: CustomerActivity): Pick<WindowAggregate, 'value' | 'distinct'> {
  switch (RULE_MEASURES[rule].measure) {
    case 'count':
      return { value: aggregate.value + 1, distinct: aggregate.distinct };
    case 'amount':
      return { value: aggregate.value + activity.amountCents, distinct: aggregate.distinct };
    case 'distinct-cards': {
      const card = activity.cardFingerprint;
      const distinct = card === null || aggregate.distinct.includes(card) ? aggregate.distinct : [...aggregate.distinct, card];
      return { value: distinct.length, distinct };
    }
  }
}

export function addToWindow(rule: FraudRule, current: WindowAggregate | undefined, activity: CustomerActivity, config: FraudRulesConfig): WindowAddition {
  const aggregate = current ?? EMPTY_WINDOW_AGGREGATE;
  if (!counts(rule, activity)) return { aggregate, outcome: 'not-counted', crossed: false };
  if (aggregate.eventIds.includes(activity.eventId)) return { aggregate, outcome: 'duplicate', crossed: false };
  if (aggregate.eventIds.length >= config.maxEventIdsPerWindow) return { aggregate, outcome: 'saturated', crossed: false };
  const { value, distinct } = nextValue(rule, aggregate, activity);
  const crossed = !aggregate.alerted && reachesThreshold(value, config.rules[rule].threshold);
  return {
    aggregate: { value, eventIds: [...aggregate.eventIds, activity.eventId], distinct, alerted: aggregate.alerted || crossed },
    outcome: 'added',
    crossed,
  };
}
