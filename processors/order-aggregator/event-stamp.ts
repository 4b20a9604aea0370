/**
 * The tracing fields every applied event updates, whatever its topic.
 */
import type { Envelope, OrderState } from '../../schemas/generated/types';

type Stamp = Pick<OrderState, 'lastEventAt' | 'lastEventId'>;

/** A fresh Date, so a state never shares a mutable object with the event it came from. */
export function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

/**
 * lastEventAt is the latest occurredAt seen, not the occurredAt of the last
 * event: order and payment events interleave in any order across the two
 * topics, so the last one folded is not necessarily the latest.
 */
export function stamp(state: Stamp | null, envelope: Envelope): Stamp {
  const at = envelope.occurredAt.getTime();
  const latest = state === null ? at : Math.max(state.lastEventAt.getTime(), at);
  return { lastEventAt: new Date(latest), lastEventId: envelope.eventId };
}
