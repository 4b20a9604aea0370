/**
 * Sanity of the envelope every event carries, checkable without state: a
 * dedupe id, the aggregate matching the record key (otherwise the event sits
 * in another aggregate's partition and per-key ordering is lost), a version
 * that can be gated on, and an event time that is not in the future.
 */
import type { Envelope } from '../../../schemas/generated/types';
import { collect, isPositiveInteger, nonEmpty } from './field-checks';
import { Violation, show, violation } from './violations';

export interface EnvelopeCheck {
  /** Kafka record key of the event; null when the record had none. */
  readonly key: string | null;
  /** Wall-clock time the caller read, in epoch ms: the rules never read a clock, so tests and replays are deterministic. */
  readonly now: number;
  /** How far occurredAt may be ahead of `now` (producer clocks drift). */
  readonly futureToleranceMs: number;
}

function keyMatches(field: string, aggregateId: string, key: string | null): Violation | null {
  if (key === null) return violation('KEY_MISMATCH', field, aggregateId, ' but the record has no key');
  return aggregateId === key ? null : violation('KEY_MISMATCH', field, aggregateId, ` but the record key is ${show(key)}`);
}

function notInFuture(field: string, occurredAt: Date, check: EnvelopeCheck): Violation | null {
  const ahead = occurredAt.getTime() - check.now;
  if (ahead <= check.futureToleranceMs) return null;
  return violation(
    'FUTURE_EVENT',
    field,
    occurredAt,
    `, ${ahead} ms after now (${show(new Date(check.now))}), beyond the ${check.futureToleranceMs} ms tolerance`,
  );
}

/** `type` is the event's record name, the first segment of every field path. */
export function checkEnvelope(type: string, envelope: Envelope, check: EnvelopeCheck): Violation[] {
  const at = (name: keyof Envelope): string => `${type}.envelope.${name}`;
  return collect(
    nonEmpty(at('eventId'), envelope.eventId),
    keyMatches(at('aggregateId'), envelope.aggregateId, check.key),
    isPositiveInteger(envelope.aggregateVersion)
      ? null
      : violation('INVALID_VERSION', at('aggregateVersion'), envelope.aggregateVersion, ', not an integer of at least 1'),
    notInFuture(at('occurredAt'), envelope.occurredAt, check),
  );
}
