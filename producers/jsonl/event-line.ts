/**
 * The producer CLI's input format: one JSON object per line.
 *
 *   {"topic":"orders.events","type":"OrderPlaced","value":{"envelope":{…},"customerId":"c-1",…}}
 *   {"topic":"customers","key":"c-1","value":null}                      ← tombstone
 *
 * - topic: a catalog topic without TOPIC_PREFIX (orders.events, payments.events,
 *   customers); optional when the CLI is given --topic.
 * - type: the record's short name (OrderPlaced, PaymentAuthorized, CustomerProfile…);
 *   absent for a tombstone.
 * - value: the record as JSON, field names as in the .avsc files; timestamps
 *   (timestamp-millis) as ISO-8601 strings with a zone or epoch milliseconds;
 *   money as integer cents; null for a tombstone (then key is required).
 * - key: optional; defaults to value.envelope.aggregateId.
 *
 * Blank lines are skipped. Anything else on a line is an error, so a typo in
 * a field name is reported instead of silently ignored. This module checks the
 * line's shape only; the schema check is the publisher's.
 */

export interface EventLine {
  readonly topic: string;
  readonly type: string | undefined;
  readonly key: string | undefined;
  /** null: a tombstone. */
  readonly value: unknown;
}

export type ParsedLine = { readonly ok: true; readonly line: EventLine } | { readonly ok: false; readonly reason: string };

const FIELDS = ['topic', 'type', 'key', 'value'] as const;

function fail(reason: string): ParsedLine {
  return { ok: false, reason };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Blank (or whitespace-only) lines carry nothing and are skipped. */
export function isBlankLine(text: string): boolean {
  return text.trim() === '';
}

export function parseEventLine(text: string, defaultTopic?: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail(`expected a JSON object {"topic", "type", "value"}, got ${kindOf(parsed)}`);
  }
  const object = parsed as Record<string, unknown>;
  const unknown = Object.keys(object).filter((field) => !(FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    return fail(`unknown field(s) ${unknown.map((f) => JSON.stringify(f)).join(', ')}: a line has ${FIELDS.join(', ')}`);
  }
  const { topic = defaultTopic, type, key, value } = object;
  if (topic === undefined) return fail('topic: missing; give "topic" on the line or --topic for the whole input');
  if (typeof topic !== 'string' || topic === '') return fail(`topic: expected a topic name, got ${kindOf(topic)}`);
  if (key !== undefined && (typeof key !== 'string' || key === '')) return fail(`key: expected a non-empty string, got ${kindOf(key)}`);
  if (!('value' in object)) return fail('value: missing; give the record, or null for a tombstone');
  if (value === null) {
    if (type !== undefined) return fail(`value is null (a tombstone) but type is ${kindOf(type)}: a tombstone has no type; drop "type" or give the record`);
    if (key === undefined) return fail('key: a tombstone (value null) needs the key of the aggregate to erase');
    return { ok: true, line: { topic, type: undefined, key, value: null } };
  }
  if (type === undefined) return fail('type: missing; give the record\'s short name, e.g. "OrderPlaced"');
  if (typeof type !== 'string' || type === '') return fail(`type: expected a record short name such as "OrderPlaced", got ${kindOf(type)}`);
  return { ok: true, line: { topic, type, key, value } };
}
