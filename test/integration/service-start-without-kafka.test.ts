/**
 * A processor (the validator) and a sink (the Redis sink) started while
 * Kafka is down: each serves /health at once (503, "waiting for Kafka"),
 * stays alive and says at warn what it waits for, and becomes healthy on
 * its own once the broker is back. The broker is a private one (the shared
 * one must stay up for everyone else), with the topics provisioned before it
 * is stopped, so it comes back the way a restarted production broker does.
 */
import { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { topicNames } from '../../lib/topics';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { PrivateKafka } from '../faults/support/private-kafka';
import { config, logger, uniqueName } from './support/env';
import { exited, spawnService, TestPipeline, waitFor, withAdmin } from './support/pipeline';
import { sinkHealth } from './support/sink';

const broker = new PrivateKafka();
const prefix = `${uniqueName('nokafka')}.`;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await broker.start();
  await withAdmin({ ...config.kafka, brokers: [broker.brokers] }, (admin) => provisionTopics(admin, desiredTopics(undefined, { prefix })));
  await broker.stop();
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  }
  await broker.cleanup();
}, 120_000);

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

function logLines(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const WAITING = 'Kafka does not answer; waiting for it before starting';

test('a processor and a sink started while Kafka is down wait, say so, and become healthy when it is back', async () => {
  const pipeline: TestPipeline = {
    prefix,
    topics: topicNames(prefix),
    kafkaConfig: { ...config.kafka, brokers: [broker.brokers] },
    codec: registryCodec({ ...config, topicPrefix: prefix }, logger),
  };
  const env = { KAFKA_BROKERS: broker.brokers, LOG_LEVEL: 'info', REDIS_KEY_PREFIX: `${prefix}` };
  const services = await Promise.all(
    [path.join('processors', 'validator', 'main.ts'), path.join('sinks', 'redis', 'main.ts')].map(async (main) => {
      const logFile = path.join(broker.dir, `${path.basename(path.dirname(main))}.log`);
      const { child, httpPort } = await spawnService(main, pipeline, env, { logFile, onSpawn: (c) => children.push(c) });
      return { main, child, httpPort, logFile };
    }),
  );

  for (const service of services) {
    expect(await sinkHealth(service.httpPort)).toEqual({ status: 503, body: { ready: false, detail: { state: 'waiting for Kafka' } } });
  }
  // two attempts each: it keeps waiting rather than giving up after one
  await waitFor(
    async () => services.every((s) => logLines(s.logFile).filter((line) => line.msg === WAITING).length >= 2),
    'both services to log two waits',
    90_000,
  );
  for (const service of services) {
    expect(service.child.exitCode).toBeNull();
    expect(service.child.signalCode).toBeNull();
    const wait = logLines(service.logFile).find((line) => line.msg === WAITING);
    expect(wait).toMatchObject({ level: 40, waitingFor: expect.stringContaining(broker.brokers), fix: expect.stringContaining('KAFKA_BROKERS'), attempt: 1 });
  }

  await broker.startAgain();
  await waitFor(
    async () => (await Promise.all(services.map(async (s) => (await sinkHealth(s.httpPort))?.status === 200))).every(Boolean),
    'both services to be healthy',
    120_000,
  );
  for (const service of services) {
    expect(service.child.exitCode).toBeNull();
    const lines = logLines(service.logFile);
    expect(lines.some((line) => line.msg === 'Kafka answers; every topic exists')).toBe(true);
    expect(lines.some((line) => line.level >= 60)).toBe(false);
  }

  // and a stop is still graceful
  for (const service of services) service.child.kill('SIGTERM');
  expect(await Promise.all(services.map(async (s) => exited(s.child)))).toEqual([0, 0]);
}, 300_000);
