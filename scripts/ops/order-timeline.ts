/**
 * An order as it stood at an instant of event time: its events with
 * occurredAt at or before the instant, folded with the order aggregator's
 * pure fold, and the audit trail saying what the fold did with each event.
 *
 * The fold takes the order's events first, then its payments, each topic in
 * the order given (log order from Kafka, version order from ClickHouse).
 * That is the aggregator's result whatever the interleaving it consumed:
 * payment fields never look at the order status (transitions.ts), the
 * lastEvent stamp is the latest by occurredAt (event-stamp.ts), and a
 * payment consumed before its OrderPlaced is parked and folded after it.
 */
import { isPaymentEvent } from '../../lib/domain/event-kinds';
import type { OrderState } from '../../schemas/generated/types';
import { AggregateEvent, applyEvent } from '../../lib/domain/orders/fold';

/** Where an event was read: a Kafka position, or a table (no partition, no offset). */
export interface EventSource {
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: string;
}

export interface SourcedEvent {
  readonly event: AggregateEvent;
  readonly source: EventSource;
}

export interface TrailEntry extends SourcedEvent {
  readonly outcome: 'applied' | 'duplicate' | 'rejected';
  /** The rejection's code and message, for a rejected event. */
  readonly reason?: string;
}

export interface OrderAtTime {
  /** null when no OrderPlaced was folded by then. */
  readonly state: OrderState | null;
  /** The events up to the instant, by occurredAt (ties: order events first, each topic in its given order). */
  readonly trail: readonly TrailEntry[];
}

export function occurredAt(event: AggregateEvent): number {
  return event.value.envelope.occurredAt.getTime();
}

export function orderAtTime(events: readonly SourcedEvent[], at: Date): OrderAtTime {
  const upTo = events.filter((e) => occurredAt(e.event) <= at.getTime());
  const orders = upTo.filter((e) => !isPaymentEvent(e.event));
  const payments = upTo.filter((e) => isPaymentEvent(e.event));
  let state: OrderState | null = null;
  const folded: TrailEntry[] = [];
  for (const sourced of [...orders, ...payments]) {
    const result = applyEvent(state, sourced.event);
    state = result.state;
    folded.push(
      result.kind === 'rejected'
        ? { ...sourced, outcome: 'rejected', reason: `${result.rejection.code}: ${result.rejection.message}` }
        : { ...sourced, outcome: result.kind },
    );
  }
  // Array.prototype.sort is stable: equal times keep the fold's order.
  const trail = [...folded].sort((a, b) => occurredAt(a.event) - occurredAt(b.event));
  return { state, trail };
}
