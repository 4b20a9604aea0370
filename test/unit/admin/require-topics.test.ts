/**
 * requireTopicsOnStart against a stand-in admin client: it waits (saying so
 * at warn, with what it waits for and the fix) while Kafka does not answer,
 * fails at once when Kafka answers without the topics or refuses the
 * credentials, and ends its wait when the service stops.
 */
import { Writable } from 'node:stream';
import { AuthenticationError, MultipleErrors, NetworkError } from '@platformatic/kafka';
import { MissingTopicsError, requireTopicsOnStart } from '../../../lib/admin/require-topics';
import { loadConfig } from '../../../lib/config';
import { createAdmin, type Admin } from '../../../lib/kafka/clients';
import { createLogger, Logger } from '../../../lib/logger';
import { RetryStoppedError } from '../../../lib/retry/retry-until-done';

jest.mock('../../../lib/kafka/clients', () => ({ createAdmin: jest.fn() }));

const FAST = { initialMs: 1, maxMs: 4, multiplier: 2, jitter: 0 };
const kafka = loadConfig({}).kafka;

interface Captured {
  readonly logger: Logger;
  lines(): Array<Record<string, unknown>>;
}

function captureLogs(): Captured {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('test', 'info', sink), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Admin clients whose topic listing fails with the given errors in turn, then lists `topics`. */
function standInKafka(topics: readonly string[], failures: readonly Error[] = []): { attempts: () => number; closes: () => number } {
  let attempts = 0;
  let closes = 0;
  const admin = {
    listTopics: async () => {
      const failure = failures[attempts++];
      if (failure !== undefined) throw failure;
      return [...topics];
    },
    close: async () => {
      closes += 1;
    },
  } as unknown as Admin;
  jest.mocked(createAdmin).mockReturnValue(admin);
  return { attempts: () => attempts, closes: () => closes };
}

function unreachable(): Error {
  return new MultipleErrors('Listing topics failed.', [
    new NetworkError('Connection to 127.0.0.1:19092 failed.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:19092') }),
  ]);
}

test('while Kafka does not answer it waits, one warning per attempt saying what for and how to fix it, then goes on', async () => {
  const { logger, lines } = captureLogs();
  const stand = standInKafka(['a', 'b'], [unreachable(), unreachable()]);
  await requireTopicsOnStart(kafka, ['a', 'b'], 'validator', 'p.', { logger, brokers: ['127.0.0.1:19092'], policy: FAST });
  expect(stand.attempts()).toBe(3);
  expect(stand.closes()).toBe(3);
  const warnings = lines().filter((line) => line['level'] === 40);
  expect(warnings.map((line) => line['attempt'])).toEqual([1, 2]);
  expect(warnings.map((line) => line['retryInMs'])).toEqual([1, 2]);
  expect(warnings[0]).toMatchObject({
    msg: 'Kafka does not answer; waiting for it before starting',
    waitingFor: 'Kafka at 127.0.0.1:19092 to check 2 topics',
    err: expect.stringContaining('Listing topics failed'),
    fix: expect.stringContaining('KAFKA_BROKERS'),
  });
  expect(lines().at(-1)).toMatchObject({ level: 30, msg: 'Kafka answers; every topic exists', attempts: 3 });
});

test('Kafka answering without the topics fails at once, naming them and the prefix', async () => {
  const { logger, lines } = captureLogs();
  const stand = standInKafka(['a']);
  const failure = requireTopicsOnStart(kafka, ['a', 'p.orders.events'], 'validator', 'p.', { logger, brokers: ['k:9092'], policy: FAST });
  await expect(failure).rejects.toThrow(MissingTopicsError);
  await expect(failure).rejects.toThrow('validator needs p.orders.events, which does not exist: provision the topics with scripts/topics (TOPIC_PREFIX="p.";');
  expect(stand.attempts()).toBe(1);
  expect(lines()).toEqual([]);
});

test('topics missing once Kafka came back fail at once too', async () => {
  const { logger } = captureLogs();
  const stand = standInKafka([], [unreachable()]);
  await expect(requireTopicsOnStart(kafka, ['a'], 'redis-sink', '', { logger, brokers: ['k:9092'], policy: FAST })).rejects.toThrow(MissingTopicsError);
  expect(stand.attempts()).toBe(2);
});

test('refused credentials are not waited for', async () => {
  const { logger } = captureLogs();
  // not retriable, so the client throws it as it is
  const refused = new AuthenticationError('SASL authentication failed.');
  const stand = standInKafka(['a'], [refused]);
  await expect(requireTopicsOnStart(kafka, ['a'], 'redis-sink', '', { logger, brokers: ['k:9092'], policy: FAST })).rejects.toBe(refused);
  expect(stand.attempts()).toBe(1);
});

test('a stop ends the wait', async () => {
  const { logger } = captureLogs();
  let stopping = false;
  const stand = standInKafka(
    ['a'],
    Array.from({ length: 100 }, () => unreachable()),
  );
  const waiting = requireTopicsOnStart(kafka, ['a'], 'redis-sink', '', {
    logger,
    brokers: ['k:9092'],
    policy: { ...FAST, initialMs: 20, maxMs: 20 },
    stopped: () => stopping,
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  stopping = true;
  await expect(waiting).rejects.toThrow(RetryStoppedError);
  expect(stand.attempts()).toBeLessThan(10);
});
