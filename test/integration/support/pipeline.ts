/**
 * Helpers for integration tests that run pipeline stages on real services:
 * an isolated, prefixed copy of every topic; producing generated events
 * through the real Avro serde; reading topics back decoded; waiting for a
 * consumer group to catch up; processor services as child processes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, producerDefaults } from '../../../lib/clients/kafka';
import { consumerLag, totalLag } from '../../../lib/admin/consumer-lag';
import { desiredTopics } from '../../../lib/admin/topic-plan';
import { provisionTopics } from '../../../lib/admin/provision-topics';
import type { KafkaConfig } from '../../../lib/config';
import type { TaggedValue } from '../../../lib/serde';
import { topicNames, TopicNames } from '../../../lib/topics';
import type { RecordCodec } from '../../../processors/runtime/codec';
import { registryCodec } from '../../../processors/runtime/registry-codec';
import { freePort } from '../../../sinks/bench/private-redis';
import { readPartitionsToEnd } from '../../../processors/runtime/partition-reader';
import { config, logger, uniqueName } from './env';
import { nodeArgs } from '../../../lib/service/project-root';

export const ROOT = path.resolve(__dirname, '../../..');

export interface TestPipeline {
  readonly prefix: string;
  readonly topics: TopicNames;
  readonly kafka: Kafka;
  /** The Kafka settings the services get (the runtime's own client is built from them). */
  readonly kafkaConfig: KafkaConfig;
  readonly codec: RecordCodec;
}

// Every test pipeline's topics are deleted when its test file ends: a single
// broker holds a few file handles per partition, and topics left by every
// run would exhaust its open-file limit on a developer's machine.
const createdPrefixes: string[] = [];
afterAll(async () => {
  if (createdPrefixes.length === 0) return;
  const admin = createKafka(config.kafka, logger).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => createdPrefixes.some((prefix) => topic.startsWith(prefix)));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    createdPrefixes.splice(0);
    await admin.disconnect();
  }
});

/** A fresh prefix with every pipeline topic provisioned under it (deleted when the test file ends). */
export async function createTestPipeline(base: string): Promise<TestPipeline> {
  const prefix = `${uniqueName(base)}.`;
  createdPrefixes.push(prefix);
  const kafka = createKafka(config.kafka, logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, desiredTopics(undefined, { prefix }));
  } finally {
    await admin.disconnect();
  }
  const codec = registryCodec({ ...config, topicPrefix: prefix }, logger);
  return { prefix, topics: topicNames(prefix), kafka, kafkaConfig: config.kafka, codec };
}

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: TaggedValue | Buffer | null;
}

/** Encodes (unless given bytes) and produces, keyed, in order. */
export async function produce(pipeline: TestPipeline, records: Iterable<OutgoingRecord>): Promise<number> {
  const producer = pipeline.kafka.producer(producerDefaults());
  await producer.connect();
  let count = 0;
  try {
    let batch: Map<string, Array<{ key: string; value: Buffer | null }>> = new Map();
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      await producer.sendBatch({ topicMessages: [...batch].map(([topic, messages]) => ({ topic, messages })) });
      batch = new Map();
      size = 0;
    };
    for (const record of records) {
      const value =
        record.value === null || Buffer.isBuffer(record.value) ? record.value : await pipeline.codec.encode(record.topic, record.value);
      const list = batch.get(record.topic) ?? [];
      list.push({ key: record.key, value });
      batch.set(record.topic, list);
      size += 1;
      count += 1;
      if (size >= 2000) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return count;
}

/** Every committed record of a topic, in partition order, raw. */
export async function readAll(pipeline: TestPipeline, topic: string): Promise<Array<KafkaMessage & { partition: number }>> {
  const out: Array<KafkaMessage & { partition: number }> = [];
  await readPartitionsToEnd({
    kafka: pipeline.kafka,
    topic,
    groupPrefix: uniqueName('read'),
    logger,
    onBatch: (partition, messages) => {
      for (const message of messages) out.push({ ...message, partition });
    },
  });
  return out;
}

/** Waits until the group has committed the end of every partition of the topics. */
export async function waitForCaughtUp(pipeline: TestPipeline, groupId: string, topics: readonly string[], timeoutMs = 90_000): Promise<void> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const behind = totalLag(await consumerLag(admin, groupId, topics));
      if (behind === 0) return;
      if (Date.now() > deadline) throw new Error(`group ${groupId} is still ${behind} records behind on ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The committed records of the group on the topics (sum over partitions). */
export async function committedCount(pipeline: TestPipeline, groupId: string, topics: readonly string[]): Promise<number> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    return (await consumerLag(admin, groupId, topics)).reduce((total, p) => total + (p.committed ?? 0), 0);
  } finally {
    await admin.disconnect();
  }
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
  await waitFor(async () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${main} exited during start-up (${child.exitCode ?? child.signalCode})`);
    return fetch(`http://127.0.0.1:${httpPort}/health`).then(
      () => true,
      () => false,
    );
  }, `${main} to serve /health`, options.startTimeoutMs);
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

/**
 * Moves a stopped group back to the start of the topics (a rebuild), with
 * the real low watermarks: kafkajs's resetOffsets({ earliest }) commits the
 * sentinel -2, which lag checks and other clients do not understand.
 */
export async function resetGroupToEarliest(pipeline: TestPipeline, groupId: string, topics: readonly string[]): Promise<void> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const low = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: low.map(({ partition, low: offset }) => ({ partition, offset })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/** The last value per key of a topic, decoded; null where the last record is a tombstone. */
export async function latestValues<T>(pipeline: TestPipeline, topic: string): Promise<Map<string, T | null>> {
  const latest = new Map<string, T | null>();
  for (const message of await readAll(pipeline, topic)) {
    const value = message.value === null ? null : ((await pipeline.codec.decode(topic, message.value)).value as T);
    latest.set(message.key?.toString('utf8') ?? '', value);
  }
  return latest;
}
