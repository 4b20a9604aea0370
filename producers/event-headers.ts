/**
 * Kafka headers every published event carries, so consumers, tools and
 * dead-letter inspection can route, trace and deduplicate without decoding
 * the Avro body (whose record type the body alone does not name).
 */

/** Header names and values are text (the producers' client serializes them as UTF-8). */
export type EventHeaders = Record<string, string>;

export const EVENT_HEADER = {
  /** The record's short name, e.g. OrderPlaced: the `type` tag of the tagged value. */
  type: 'event.type',
  /** envelope.eventId: the deduplication key. */
  id: 'event.id',
  /** envelope.correlationId: ties together every event of one business flow. */
  correlationId: 'correlation.id',
} as const;

function envelopeOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const envelope = (value as { envelope?: unknown }).envelope;
  return typeof envelope === 'object' && envelope !== null ? (envelope as Record<string, unknown>) : undefined;
}

/** envelope.aggregateId, the record key of event topics; undefined for records without an envelope. */
export function aggregateIdOf(value: unknown): string | undefined {
  const id = envelopeOf(value)?.['aggregateId'];
  return typeof id === 'string' ? id : undefined;
}

/** Headers of an encoded event; the envelope fields are only set when the record has an envelope. */
export function eventHeaders(type: string, value: unknown): EventHeaders {
  const headers: EventHeaders = { [EVENT_HEADER.type]: type };
  const envelope = envelopeOf(value);
  if (envelope !== undefined) {
    if (typeof envelope['eventId'] === 'string') headers[EVENT_HEADER.id] = envelope['eventId'];
    if (typeof envelope['correlationId'] === 'string') headers[EVENT_HEADER.correlationId] = envelope['correlationId'];
  }
  return headers;
}

/** Bytes the headers add to a request (names and values), for batch sizing. */
export function headersSize(headers: EventHeaders): number {
  let size = 0;
  // for…in rather than Object.entries: this runs once per published event.
  for (const name in headers) size += name.length + headers[name]!.length;
  return size;
}
