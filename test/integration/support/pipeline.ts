/**
 * Helpers for integration tests that run pipeline stages on real services:
 * an isolated, prefixed copy of every topic; producing generated events
 * through the real Avro serde; reading topics back decoded; waiting for a
 * consumer group to catch up; processor services as child processes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { consumerLag, totalLag } from '../../../lib/admin/consumer-lag';
import { applyOffsetReset, planOffsetReset } from '../../../lib/admin/offset-reset';
import { desiredTopics } from '../../../lib/admin/topic-plan';
import { provisionTopics } from '../../../lib/admin/provision-topics';
import type { KafkaConfig } from '../../../lib/config';
import type { TaggedValue } from '../../../lib/serde';
import { topicNames, TopicNames } from '../../../lib/topics';
import type { RecordCodec } from '../../../lib/streaming/codec';
import { registryCodec } from '../../../lib/streaming/registry-codec';
import { freePort } from '../../../sinks/bench/private-redis';
import { createAdmin, createProducer, type Admin, type RecordProducer } from '../../../lib/kafka/clients';
import { requestChunks } from '../../../lib/kafka/request-chunks';
import { topicOffsets } from '../../../lib/kafka/topic-offsets';
import { readTopicRecords, type PartitionRecord } from '../../../lib/kafka/topic-reader';
import { config, logger, uniqueName } from './env';
import { nodeArgs } from '../../../lib/service/project-root';

export const ROOT = path.resolve(__dirname, '../../..');

export interface TestPipeline {
  readonly prefix: string;
  readonly topics: TopicNames;
  /** The Kafka settings the services get (every client is built from them: lib/kafka/clients.ts). */
  readonly kafkaConfig: KafkaConfig;
  readonly codec: RecordCodec;
}

// Every test pipeline's topics are deleted when its test file ends: a single
// broker holds a few file handles per partition, and topics left by every
// run would exhaust its open-file limit on a developer's machine.
const createdPrefixes: string[] = [];
afterAll(async () => {
  if (createdPrefixes.length === 0) return;
  try {
    await withAdmin(config.kafka, async (admin) => {
      const topics = (await admin.listTopics()).filter((topic) => createdPrefixes.some((prefix) => topic.startsWith(prefix)));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    });
  } finally {
    createdPrefixes.splice(0);
  }
});

/** Runs `use` with an admin client of its own, closed afterwards. */
export async function withAdmin<T>(kafka: KafkaConfig, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = createAdmin(kafka, `${kafka.clientId}-test-admin`);
  try {
    return await use(admin);
  } finally {
    await admin.close();
  }
}

/** Runs `use` with a producer of the kind the publishers use (idempotent, Java-compatible partitioner), closed afterwards. */
export async function withProducer<T>(kafka: KafkaConfig, use: (producer: RecordProducer) => Promise<T>): Promise<T> {
  const producer = createProducer(kafka, `${kafka.clientId}-test-producer`);
  try {
    return await use(producer);
  } finally {
    await producer.close();
  }
}

/** A fresh prefix with every pipeline topic provisioned under it (deleted when the test file ends). */
export async function createTestPipeline(base: string): Promise<TestPipeline> {
  const prefix = `${uniqueName(base)}.`;
  createdPrefixes.push(prefix);
  await withAdmin(config.kafka, (admin) => provisionTopics(admin, desiredTopics(undefined, { prefix })));
  const codec = registryCodec({ ...config, topicPrefix: prefix }, logger);
  return { prefix, topics: topicNames(prefix), kafkaConfig: config.kafka, codec };
}

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: TaggedValue | Buffer | null;
}

/** Encodes (unless given bytes) and produces, keyed, in order. */
export async function produce(pipeline: TestPipeline, records: Iterable<OutgoingRecord>): Promise<number> {
  return withProducer(pipeline.kafkaConfig, async (producer) => {
    let count = 0;
    let batch: Array<{ topic: string; key: Buffer; value?: Buffer }> = [];
    const flush = async () => {
      // one send at a time keeps the order; a chunk bounds one produce request
      for (const messages of requestChunks(batch)) await producer.send({ messages });
      batch = [];
    };
    for (const record of records) {
      const value = record.value === null || Buffer.isBuffer(record.value) ? record.value : await pipeline.codec.encode(record.topic, record.value);
      // a record without a value is a tombstone
      batch.push({ topic: record.topic, key: Buffer.from(record.key, 'utf8'), ...(value === null ? {} : { value }) });
      count += 1;
      if (batch.length >= 2000) await flush();
    }
    await flush();
    return count;
  });
}

export type ReadRecord = PartitionRecord;

/** Every committed record of a topic (read_committed, to the last stable offset), in partition order, raw. */
export function readAll(pipeline: TestPipeline, topic: string): Promise<ReadRecord[]> {
  return readTopicRecords({ kafka: pipeline.kafkaConfig, topic, clientId: uniqueName('read'), logger });
}

/** The sum of the topic's end offsets (last stable): how many offsets it holds, from 0. */
export async function endOffsetTotal(pipeline: TestPipeline, topic: string): Promise<number> {
  return withAdmin(pipeline.kafkaConfig, async (admin) => (await topicOffsets(admin, topic)).reduce((sum, p) => sum + p.high, 0));
}

/** Waits until the group has committed the end of every partition of the topics. */
export async function waitForCaughtUp(pipeline: TestPipeline, groupId: string, topics: readonly string[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withAdmin(pipeline.kafkaConfig, async (admin) => {
    for (;;) {
      const behind = totalLag(await consumerLag(admin, groupId, topics));
      if (behind === 0) return;
      if (Date.now() > deadline) throw new Error(`group ${groupId} is still ${behind} records behind on ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
}

/** The committed records of the group on the topics (sum over partitions). */
export async function committedCount(pipeline: TestPipeline, groupId: string, topics: readonly string[]): Promise<number> {
  return withAdmin(pipeline.kafkaConfig, async (admin) => (await consumerLag(admin, groupId, topics)).reduce((total, p) => total + (p.committed ?? 0), 0));
}

export interface SpawnServiceOptions {
  /** Append the service's stdout and stderr to this file instead of the test's output. */
  readonly logFile?: string;
  /** Default: a free port. */
  readonly httpPort?: number;
  /** How long start-up may take until /health answers (default: waitFor's). */
  readonly startTimeoutMs?: number;
  /** Called with the child as soon as it is spawned, before /health answers: lets a caller track it for cleanup even if start-up fails. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/**
 * A service (e.g. processors/<name>/main.ts) as a child process on the test's
 * prefix, returned once its /health endpoint answers: by then its signal
 * handlers are installed, so a SIGTERM means a graceful stop.
 */
export async function spawnService(
  main: string,
  pipeline: TestPipeline,
  env: Record<string, string> = {},
  options: SpawnServiceOptions = {},
): Promise<{ child: ChildProcess; httpPort: number }> {
  const httpPort = options.httpPort ?? (await freePort());
  const output = options.logFile === undefined ? 'inherit' : openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    // the compiled service with plain node, as scripts/services runs it
    child = spawn(process.execPath, nodeArgs(main), {
      cwd: ROOT,
      env: { ...process.env, TOPIC_PREFIX: pipeline.prefix, HTTP_PORT: String(httpPort), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
      stdio: ['ignore', output, output],
    });
  } finally {
    if (typeof output === 'number') closeSync(output);
  }
  options.onSpawn?.(child);
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${main} exited during start-up (${child.exitCode ?? child.signalCode})`);
      return fetch(`http://127.0.0.1:${httpPort}/health`).then(
        () => true,
        () => false,
      );
    },
    `${main} to serve /health`,
    options.startTimeoutMs,
  );
  return { child, httpPort };
}

export async function spawnProcessor(name: string, pipeline: TestPipeline, env: Record<string, string> = {}): Promise<ChildProcess> {
  return (await spawnService(path.join('processors', name, 'main.ts'), pipeline, env)).child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Child processes a test file starts, killed after each test whatever happened. */
export function trackChildren(): (child: ChildProcess) => ChildProcess {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
  });
  return (child) => {
    children.push(child);
    return child;
  };
}

/** Moves a stopped group back to the start of the topics (a rebuild), committing the real log start offsets. */
export async function resetGroupToEarliest(pipeline: TestPipeline, groupId: string, topics: readonly string[]): Promise<void> {
  await withAdmin(pipeline.kafkaConfig, async (admin) => applyOffsetReset(admin, groupId, await planOffsetReset(admin, groupId, topics, { kind: 'earliest' })));
}

/** The last value per key of a topic, decoded; null where the last record is a tombstone. */
export async function latestValues<T>(pipeline: TestPipeline, topic: string): Promise<Map<string, T | null>> {
  const latest = new Map<string, T | null>();
  for (const record of await readAll(pipeline, topic)) {
    const value = record.value === null ? null : ((await pipeline.codec.decode(topic, record.value)).value as T);
    latest.set(record.key?.toString('utf8') ?? '', value);
  }
  return latest;
}
