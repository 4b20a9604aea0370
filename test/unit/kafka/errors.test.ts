/** Unit test: the client's own error classes, built here as the client builds them (no broker). */
import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';
import { brokerUnreachableReason, errorIds, isFatalKafkaError, isFencing, isGenerationLost, isKafkaError, isUnknownTopic } from '../../../lib/kafka/errors';

const refused = () => new NetworkError('Connection to 127.0.0.1:19092 failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:19092') });

test('protocol error ids are found in causes and in every aggregated attempt', () => {
  const error = new MultipleErrors('Commit failed.', [refused(), new ProtocolError('ILLEGAL_GENERATION')]);
  expect(errorIds(error)).toEqual(['ILLEGAL_GENERATION']);
  expect(isGenerationLost(error)).toBe(true);
  expect(isGenerationLost(new MultipleErrors('x', [refused()]))).toBe(false);
});

test('fencing: a newer producer, or an epoch the broker bumped', () => {
  expect(isFencing(new ProtocolError('PRODUCER_FENCED'))).toBe(true);
  expect(isFencing(new MultipleErrors('EndTxn failed.', [new ProtocolError('INVALID_PRODUCER_EPOCH')]))).toBe(true);
  expect(isFencing(new ProtocolError('CONCURRENT_TRANSACTIONS'))).toBe(false);
  expect(isFencing(undefined)).toBe(false);
});

test('fatal: credentials and permissions, also inside a call that gave up after retries; connection loss and fencing are not', () => {
  expect(isFatalKafkaError(new ProtocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe(true);
  expect(isFatalKafkaError(new MultipleErrors('Listing topics failed.', [refused(), new ProtocolError('GROUP_AUTHORIZATION_FAILED')]))).toBe(true);
  expect(isFatalKafkaError(new AuthenticationError('SASL authentication failed.'))).toBe(true);
  expect(isFatalKafkaError(new MultipleErrors('Cannot connect to any broker.', [new AuthenticationError('SASL authentication failed.')]))).toBe(true);
  expect(isFatalKafkaError(new MultipleErrors('Cannot connect to any broker.', [refused()]))).toBe(false);
  expect(isFatalKafkaError(new ProtocolError('INVALID_PRODUCER_EPOCH'))).toBe(false);
});

test("a client error is told from the service's own, and an unreachable broker is named", () => {
  expect(isKafkaError(refused())).toBe(true);
  expect(isKafkaError(new TypeError('x is undefined'))).toBe(false);
  expect(isKafkaError(null)).toBe(false);
  expect(brokerUnreachableReason(new MultipleErrors('Cannot connect to any broker.', [refused()]))).toBe(
    'Connection to 127.0.0.1:19092 failed: connect ECONNREFUSED 127.0.0.1:19092',
  );
  expect(brokerUnreachableReason(new ProtocolError('ILLEGAL_GENERATION'))).toBeUndefined();
  expect(isUnknownTopic(new ProtocolError('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(true);
  expect(isUnknownTopic(refused())).toBe(false);
});
