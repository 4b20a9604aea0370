/**
 * The tracing fields every applied event updates, whatever its topic.
 */
import type { Envelope, OrderState } from '../../../schemas/generated/types';

type Stamp = Pick<OrderState, 'lastEventAt' | 'lastEventId'>;

/** A fresh Date, so a state never shares a mutable object with the event it came from. */
export function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

/**
 * lastEventAt/lastEventId name the latest event by occurredAt (ties: the
 * greater eventId), not the last one folded: order and payment events
 * interleave in any order across the two topics, and the state must not
 * depend on that order, or a replay could give a different state.
 */
export function stamp(state: Stamp | null, envelope: Envelope): Stamp {
  const at = envelope.occurredAt.getTime();
  if (state !== null) {
    const current = state.lastEventAt.getTime();
    if (at < current || (at === current && envelope.eventId < state.lastEventId)) {
      return { lastEventAt: copyDate(state.lastEventAt), lastEventId: state.lastEventId };
    }
  }
  return { lastEventAt: new Date(at), lastEventId: envelope.eventId };
}
