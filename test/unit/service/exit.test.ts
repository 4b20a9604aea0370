import { MissingTopicsError } from '../../../lib/admin/require-topics';
import { ConfigError } from '../../../lib/config';
import { EXIT_CONFIG, EXIT_FAILURE, exitCodeFor } from '../../../lib/service/exit';

test('what only an operator can fix exits 78, which the supervisor does not restart; anything else 1', () => {
  expect(exitCodeFor(new ConfigError(['KAFKA_BROKERS: not a host:port list']))).toBe(EXIT_CONFIG);
  expect(exitCodeFor(new MissingTopicsError('validator needs orders.events'))).toBe(EXIT_CONFIG);
  expect(exitCodeFor(new Error('boom'))).toBe(EXIT_FAILURE);
  expect(exitCodeFor('not even an error')).toBe(EXIT_FAILURE);
  expect(EXIT_CONFIG).toBe(78);
});
