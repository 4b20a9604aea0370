import { isBlankLine, parseEventLine } from '../../../producers/jsonl/event-line';

const placed = { envelope: { eventId: 'e-1' }, customerId: 'c-1' };

describe('parseEventLine', () => {
  it('reads topic, type, key and value', () => {
    const text = JSON.stringify({ topic: 'orders.events', type: 'OrderPlaced', key: 'o-1', value: placed });
    expect(parseEventLine(text)).toEqual({ ok: true, line: { topic: 'orders.events', type: 'OrderPlaced', key: 'o-1', value: placed } });
  });

  it('leaves the key out when the line has none (the publisher keys by aggregate id)', () => {
    const parsed = parseEventLine(JSON.stringify({ topic: 'orders.events', type: 'OrderPlaced', value: placed }));
    expect(parsed).toEqual({ ok: true, line: { topic: 'orders.events', type: 'OrderPlaced', key: undefined, value: placed } });
  });

  it('takes the default topic for lines without one, and the line topic over it', () => {
    const line = JSON.stringify({ type: 'OrderPlaced', value: placed });
    expect(parseEventLine(line, 'orders.events')).toMatchObject({ ok: true, line: { topic: 'orders.events' } });
    const own = JSON.stringify({ topic: 'payments.events', type: 'PaymentCaptured', value: {} });
    expect(parseEventLine(own, 'orders.events')).toMatchObject({ ok: true, line: { topic: 'payments.events' } });
  });

  it('reads a tombstone: value null with a key and no type', () => {
    expect(parseEventLine('{"topic":"customers","key":"c-1","value":null}')).toEqual({
      ok: true,
      line: { topic: 'customers', type: undefined, key: 'c-1', value: null },
    });
  });

  it.each([
    ['not json', /^invalid JSON: /],
    ['[1,2]', /^expected a JSON object \{"topic", "type", "value"\}, got an array$/],
    ['"text"', /^expected a JSON object .*got string "text"$/],
    ['{"topic":"orders.events","type":"OrderPlaced","valeu":{}}', /^unknown field\(s\) "valeu": a line has topic, type, key, value$/],
    ['{"type":"OrderPlaced","value":{}}', /^topic: missing; give "topic" on the line or --topic/],
    ['{"topic":7,"type":"OrderPlaced","value":{}}', /^topic: expected a topic name, got number 7$/],
    ['{"topic":"orders.events","type":"OrderPlaced"}', /^value: missing; give the record, or null for a tombstone$/],
    ['{"topic":"orders.events","value":{}}', /^type: missing; give the record's short name/],
    ['{"topic":"orders.events","type":"","value":{}}', /^type: expected a record short name .*got string ""$/],
    ['{"topic":"orders.events","type":"OrderPlaced","key":"","value":{}}', /^key: expected a non-empty string, got string ""$/],
    ['{"topic":"customers","value":null}', /^key: a tombstone \(value null\) needs the key/],
    ['{"topic":"customers","type":"CustomerProfile","key":"c-1","value":null}', /a tombstone has no type; drop "type" or give the record$/],
  ])('refuses %s with a reason', (text, reason) => {
    const parsed = parseEventLine(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('knows blank lines', () => {
    expect(isBlankLine('')).toBe(true);
    expect(isBlankLine('  \t')).toBe(true);
    expect(isBlankLine('{}')).toBe(false);
  });
});
