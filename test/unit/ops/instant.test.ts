import { UsageError } from '../../../lib/cli/cli';
import { parseInstant } from '../../../scripts/ops/instant';

describe('parseInstant', () => {
  test('reads an ISO-8601 time with a zone, and epoch milliseconds', () => {
    expect(parseInstant('at', '2024-05-01T12:00:00Z').toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(parseInstant('at', '2024-05-01T14:00:00.250+02:00').toISOString()).toBe('2024-05-01T12:00:00.250Z');
    expect(parseInstant('at', '1714564800000').toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(parseInstant('at', ' 0 ').getTime()).toBe(0);
  });

  test.each(['', 'now', '2024-05-01T12:00:00', '2024-02-30T00:00:00Z', '-5', '1.5', '99999999999999999999'])(
    'refuses %j with a usage error naming the flag',
    (text) => {
      expect(() => parseInstant('at', text)).toThrow(UsageError);
      expect(() => parseInstant('at', text)).toThrow(/--at must be an ISO-8601 time with a zone/);
    },
  );
});
