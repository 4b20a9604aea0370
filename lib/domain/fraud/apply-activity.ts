/**
 * Applies one customer activity to one rule: assigns it to the rule's
 * event-time windows (runtime/windows.ts), skips windows already closed,
 * adds it to each open one, and decides the alert.
 *
 * No alert storms: a window alerts at most once (WindowAggregate.alerted),
 * and one activity raises at most one alert per rule. Hopping windows
 * overlap, so without more care a sustained burst would alert again in every
 * newer window as it, too, reaches the threshold (a 1 h window every 5 min,
 * an alert per order). So when an activity fires, EVERY open window of the
 * rule that contains it is marked alerted, whether it reached the threshold
 * or not: the alert names the one with the highest value (the oldest on a
 * tie, as it covers the longest history), and a new alert needs a window
 * that starts after the trigger to reach the threshold on its own, that is
 * a threshold's worth of new evidence.
 */
import type { CustomerActivity, FraudAlert } from '../../../schemas/generated/types';
import { TimeWindow, isClosed, windowsFor } from '../windows';
import { buildFraudAlert } from './alert';
import { FraudRulesConfig, windowSpecOf } from './config';
import type { FraudRule } from './rule-names';
import { counts } from './rule-measures';
import type { RuleWindow } from './rule-window';
import { AdditionOutcome, WindowAggregate, addToWindow } from './window-aggregate';

export interface RuleApplication {
  readonly rule: FraudRule;
  /** Windows whose aggregate changed, oldest first: write them back (with the alert, in one transaction). */
  readonly changed: readonly RuleWindow[];
  readonly alert: FraudAlert | null;
  /**
   * The rule counts this activity but every window it falls in has closed
   * (stream time passed end + grace): the caller counts it in the late metric
   * and logs it (ctx.lateRecord) rather than lose it silently.
   */
  readonly late: boolean;
  /** Open windows that had already counted this eventId (replays, redeliveries). */
  readonly duplicates: number;
  /** Open windows full at maxEventIdsPerWindow that did not count it. */
  readonly saturated: number;
}

function pickAlertWindow(crossed: readonly RuleWindow[]): RuleWindow | undefined {
  let best: RuleWindow | undefined;
  // `crossed` is oldest first, so a strict > keeps the oldest on a tie.
  for (const candidate of crossed) if (best === undefined || candidate.aggregate.value > best.aggregate.value) best = candidate;
  return best;
}

/**
 * `current` holds this customer's aggregates of this rule by window start
 * (missing: nothing counted yet). `streamTime` is the highest event time
 * the task has seen; the activity's own time counts too.
 */
export function applyActivity(
  rule: FraudRule,
  current: ReadonlyMap<number, WindowAggregate>,
  activity: CustomerActivity,
  config: FraudRulesConfig,
  streamTime: number,
): RuleApplication {
  const none: RuleApplication = { rule, changed: [], alert: null, late: false, duplicates: 0, saturated: 0 };
  if (!counts(rule, activity)) return none;
  const spec = windowSpecOf(config, rule);
  const at = activity.occurredAt.getTime();
  const now = Math.max(streamTime, at);
  const open: TimeWindow[] = windowsFor(spec, at).filter((window) => !isClosed(spec, window, now));
  if (open.length === 0) return { ...none, late: true };

  const additions = open.map((window) => ({ window, addition: addToWindow(rule, current.get(window.start), activity, config) }));
  const crossed = additions.filter((a) => a.addition.crossed).map(({ window, addition }) => ({ rule, window, aggregate: addition.aggregate }));
  const fired = pickAlertWindow(crossed);
  const alert = fired === undefined ? null : buildFraudAlert(rule, fired.window, fired.aggregate, activity, config);

  const changed: RuleWindow[] = [];
  for (const { window, addition } of additions) {
    const covered = fired !== undefined && !addition.aggregate.alerted;
    if (addition.outcome !== 'added' && !covered) continue;
    changed.push({ rule, window, aggregate: covered ? { ...addition.aggregate, alerted: true } : addition.aggregate });
  }
  const outcomes = (outcome: AdditionOutcome): number => additions.filter((a) => a.addition.outcome === outcome).length;
  const duplicates = outcomes('duplicate');
  const saturated = outcomes('saturated');
  return { rule, changed, alert, late: false, duplicates, saturated };
}
