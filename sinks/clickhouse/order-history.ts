/**
 * Turns an order's history read back from the events table into the tagged
 * events the order fold takes, so "the state at time t" can be the fold's
 * exact answer: foldOrder(toAggregateEvents(history up to t)).
 *
 * The payload column holds the decoded record as JSON; the only timestamp
 * an order or payment event carries is envelope.occurredAt, revived here as
 * a Date.
 */
import type { AggregateEvent } from '../../lib/domain/orders/fold';
import { ORDER_EVENT_TYPES, PAYMENT_EVENT_TYPES } from './event-types';
import type { HistoryEvent } from './queries';

const EVENT_TYPES: ReadonlySet<string> = new Set<string>([...ORDER_EVENT_TYPES, ...PAYMENT_EVENT_TYPES]);

export class HistoryPayloadError extends Error {
  override readonly name = 'HistoryPayloadError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toAggregateEvent(event: HistoryEvent): AggregateEvent {
  const where = `event ${event.eventId} (${event.eventType})`;
  if (!EVENT_TYPES.has(event.eventType)) throw new HistoryPayloadError(`${where}: not an order or payment event type`);
  let value: unknown;
  try {
    value = JSON.parse(event.payload);
  } catch (err) {
    throw new HistoryPayloadError(`${where}: payload is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(value) || !isRecord(value['envelope']) || typeof value['envelope']['occurredAt'] !== 'string') {
    throw new HistoryPayloadError(`${where}: payload has no envelope.occurredAt`);
  }
  const envelope = { ...value['envelope'], occurredAt: new Date(value['envelope']['occurredAt']) };
  // The payload was written from a decoded record of this very type (rows.ts),
  // so its shape is the type's: the tag says which.
  return { type: event.eventType, value: { ...value, envelope } } as AggregateEvent;
}

export function toAggregateEvents(history: readonly HistoryEvent[]): AggregateEvent[] {
  return history.map(toAggregateEvent);
}
