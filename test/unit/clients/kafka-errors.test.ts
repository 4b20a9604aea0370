import { isFatalKafkaError, isFencing, isKafkaError } from '../../../lib/clients/kafka-errors';

const kafkaError = (name: string, type?: string, cause?: unknown) => Object.assign(new Error(`${name} ${type ?? ''}`), { name, type, cause });

test('fencing: a newer producer epoch, under either name the broker uses', () => {
  expect(isFencing(kafkaError('KafkaJSProtocolError', 'INVALID_PRODUCER_EPOCH'))).toBe(true);
  expect(isFencing(kafkaError('KafkaJSProtocolError', 'PRODUCER_FENCED'))).toBe(true);
  expect(isFencing(kafkaError('KafkaJSProtocolError', 'CONCURRENT_TRANSACTIONS'))).toBe(false);
  expect(isFencing(undefined)).toBe(false);
});

test('fatal: credentials and permissions, also as the cause of a retry that gave up; connection loss and coordinators are not', () => {
  expect(isFatalKafkaError(kafkaError('KafkaJSProtocolError', 'TOPIC_AUTHORIZATION_FAILED'))).toBe(true);
  expect(isFatalKafkaError(kafkaError('KafkaJSNumberOfRetriesExceeded', undefined, kafkaError('KafkaJSProtocolError', 'GROUP_AUTHORIZATION_FAILED')))).toBe(true);
  expect(isFatalKafkaError(kafkaError('KafkaJSSASLAuthenticationError'))).toBe(true);
  expect(isFatalKafkaError(kafkaError('KafkaJSGroupCoordinatorNotFound'))).toBe(false);
  expect(isFatalKafkaError(kafkaError('KafkaJSConnectionError'))).toBe(false);
  expect(isFatalKafkaError(kafkaError('KafkaJSProtocolError', 'INVALID_PRODUCER_EPOCH'))).toBe(false);
});

test('a Kafka client error is told from one of the service', () => {
  expect(isKafkaError(kafkaError('KafkaJSConnectionError'))).toBe(true);
  expect(isKafkaError(new TypeError('x is undefined'))).toBe(false);
  expect(isKafkaError(null)).toBe(false);
});
