/**
 * The Kafka Streams peer of the order aggregator (scripts/bench/kafka-streams/,
 * a Maven project): the same fold as a plain Kafka Streams application, as a
 * JVM user would build it, for the processor benchmark to run beside the
 * aggregator on the same topics.
 *
 *   await buildKafkaStreamsPeer();            // mvn package, skipped when the jar is newer than its sources
 *   const round = await runKafkaStreamsRound({ kafka, config, inputs, outputTopic, store: 'rocksdb', applicationId });
 *
 * A round spawns `java -jar`, waits until the application's consumer group
 * (its application id) has committed the end of both input topics, stops it
 * with SIGTERM and reads the summary it prints. The caller owns the names:
 * the output topic and the application's internal changelog
 * (`<applicationId>-order-state-changelog`) are left for it to read and
 * delete, so both belong under the caller's topic prefix.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { committedOffsets } from '../../lib/admin/committed-offsets';
import { createTopicsAndWait } from '../../lib/admin/create-topics';
import { createAdmin, type Admin } from '../../lib/kafka/clients';
import { topicOffsets } from '../../lib/kafka/topic-offsets';
import type { AppConfig } from '../../lib/config';
import { PROJECT_ROOT } from '../../lib/service/project-root';
import { TOPICS, TOPIC } from '../../lib/topics';

export const PEER_DIR = path.join(PROJECT_ROOT, 'scripts', 'bench', 'kafka-streams');
export const PEER_JAR = path.join(PEER_DIR, 'target', 'streamfold-kafka-streams-peer.jar');
/** The project's schemas: the Maven build generates its Avro classes from them. */
const SCHEMAS_DIR = path.join(PROJECT_ROOT, 'schemas');

export const KAFKA_STREAMS_STORES = ['memory', 'rocksdb'] as const;
export type KafkaStreamsStore = (typeof KAFKA_STREAMS_STORES)[number];

/** What a round runs with unless told otherwise (the benchmark reports these). */
export const PEER_DEFAULTS = {
  /** Kafka Streams' own default statestore.cache.max.bytes. */
  cacheMaxBytes: 10 * 1024 * 1024,
  /** Kafka Streams' default num.stream.threads. */
  threads: 1,
  /**
   * A bounded heap, so the JVM does not size itself to a quarter of the
   * machine's memory beside the broker; otherwise the JVM's defaults (G1).
   * KS_JAVA_OPTS replaces it.
   */
  javaOpts: process.env.KS_JAVA_OPTS?.trim() || '-Xmx1g',
} as const;
const STOP_TIMEOUT_MS = 45_000;
const POLL_MS = 50;

const progress = (message: string) => process.stderr.write(`[kafka-streams-peer] ${message}\n`);

/** Newest modification time under a directory, of files whose name passes `keep`. */
function newestMtime(dir: string, keep: (name: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file, keep));
    else if (keep(entry.name)) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

function isUpToDate(): boolean {
  if (!existsSync(PEER_JAR) || !existsSync(path.join(PEER_DIR, 'target', 'lib'))) return false;
  const sources = Math.max(
    statSync(path.join(PEER_DIR, 'pom.xml')).mtimeMs,
    newestMtime(path.join(PEER_DIR, 'src'), () => true),
    newestMtime(SCHEMAS_DIR, (name) => name.endsWith('.avsc')),
  );
  return statSync(PEER_JAR).mtimeMs > sources;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Builds the jar with Maven unless it is newer than the pom, the Java sources and the schemas; returns its path. */
export async function buildKafkaStreamsPeer(): Promise<string> {
  if (isUpToDate()) return PEER_JAR;
  progress('building scripts/bench/kafka-streams (mvn -q -B package)');
  const started = Date.now();
  const { code, stdout, stderr } = await run('mvn', ['-q', '-B', 'package'], PEER_DIR);
  if (code !== 0) throw new Error(`mvn package in ${PEER_DIR} failed (exit ${code}):\n${stdout}${stderr}`);
  progress(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return PEER_JAR;
}

export interface KafkaStreamsPeerVersions {
  readonly kafkaStreams: string;
  readonly java: string;
  readonly jvm: string;
}

/** The Kafka Streams and JVM versions the peer runs with (`java -jar … --version`). */
export async function describeKafkaStreamsPeer(): Promise<KafkaStreamsPeerVersions> {
  const { code, stdout, stderr } = await run('java', ['-jar', await buildKafkaStreamsPeer(), '--version'], PEER_DIR);
  if (code !== 0) throw new Error(`the Kafka Streams peer's --version failed (exit ${code}): ${stderr}`);
  return JSON.parse(stdout.trim()) as KafkaStreamsPeerVersions;
}

/** What the peer's fold did, from the line it prints when it stops. */
export interface KafkaStreamsFoldSummary {
  readonly kafkaStreams: string;
  readonly applied: number;
  readonly duplicates: number;
  readonly parked: number;
  /** By the aggregator's rejection codes; the peer drops these where the aggregator dead-letters them. */
  readonly rejected: Readonly<Record<string, number>>;
}

/** Offsets the group committed on the topics, summed. */
export async function committedTotal(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await committedOffsets(admin, groupId);
  let total = 0;
  for (const topic of topics) for (const offset of committed.get(topic)?.values() ?? []) total += offset;
  return total;
}

/** The records in the topics now (sum of their partitions' end offsets). */
export async function endOffsetsTotal(admin: Admin, topics: readonly string[]): Promise<number> {
  let total = 0;
  for (const topic of topics) for (const { high } of await topicOffsets(admin, topic)) total += high;
  return total;
}

export interface CatchUp {
  /** From `started` to the group's commits reaching `expected`. */
  readonly seconds: number;
  /** From `started` to the first commit: group join, task start-up, the first transaction. */
  readonly startupSeconds: number;
  /** From the first commit to the end: the steady state, start-up apart. */
  readonly eventsPerSecond: number;
  readonly eventsPerSecondIncludingStartup: number;
  /** From half the events committed to the end: warm (the JVM's JIT, V8's optimizer), for comparison with the steady figure. */
  readonly eventsPerSecondSecondHalf: number;
}

/**
 * Polls the group's committed offsets until they reach `expected` (the end
 * of the inputs), the way every processor round of the benchmark is timed.
 * `alive` is checked at each poll, so a process that died fails the wait.
 */
export async function waitUntilCommitted(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  expected: number,
  started: number,
  options: { readonly timeoutMs?: number; readonly alive?: () => void } = {},
): Promise<CatchUp> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  let first: { at: number; committed: number } | undefined;
  let half: { at: number; committed: number } | undefined;
  let last: number;
  while ((last = await committedTotal(admin, groupId, topics)) < expected) {
    if (first === undefined && last > 0) first = { at: Date.now(), committed: last };
    if (half === undefined && last >= expected / 2) half = { at: Date.now(), committed: last };
    options.alive?.();
    if (Date.now() - started > timeoutMs) throw new Error(`group ${groupId} stuck at ${last} of ${expected} committed`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const finished = Date.now();
  const seconds = (finished - started) / 1000;
  // a run that finished within one poll has no steady state apart from its start
  const rateSince = (from: { at: number; committed: number } | undefined) =>
    from !== undefined && finished > from.at ? (expected - from.committed) / ((finished - from.at) / 1000) : expected / seconds;
  const steady = rateSince(first);
  return {
    seconds,
    startupSeconds: first ? (first.at - started) / 1000 : seconds,
    eventsPerSecond: steady,
    eventsPerSecondIncludingStartup: expected / seconds,
    eventsPerSecondSecondHalf: rateSince(half ?? first),
  };
}

/** The Apicurio serde speaks Apicurio's own API: the Confluent-compatible URL of the project's registry, moved to it. */
export function apicurioApiUrl(schemaRegistryUrl: string): string {
  const url = new URL(schemaRegistryUrl);
  if (!/\/apis\/ccompat\/v\d+\/?$/.test(url.pathname)) {
    throw new Error(`the Kafka Streams peer needs Apicurio Registry (SCHEMA_REGISTRY_URL ending in /apis/ccompat/v7), got ${schemaRegistryUrl}`);
  }
  url.pathname = url.pathname.replace(/\/apis\/ccompat\/v\d+\/?$/, '/apis/registry/v3');
  return url.toString();
}

/** Brokers and registry must be on this machine: the peer is a benchmark, never pointed elsewhere. */
function requireLoopback(config: AppConfig): void {
  const hosts = [...config.kafka.brokers.map((b) => b.replace(/:\d+$/, '')), new URL(config.schemaRegistry.url).hostname];
  const remote = hosts.filter((host) => !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/.test(host));
  if (remote.length > 0) throw new Error(`the Kafka Streams peer runs against local services only, not ${remote.join(', ')}`);
}

/** Creates the output topic as orders.state is declared (partitions, compaction), unless it exists. */
export async function createOutputTopic(admin: Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  const spec = TOPICS.find((t) => t.name === TOPIC.orderState)!;
  await createTopicsAndWait(admin, [
    {
      topic,
      numPartitions: spec.partitions,
      configEntries: [
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
        { name: 'retention.ms', value: String(spec.retentionMs) },
      ],
    },
  ]);
}

export interface KafkaStreamsRoundOptions {
  /** Its Kafka settings reach the peer and the admin client that times it. */
  readonly config: AppConfig;
  readonly inputs: { readonly orderEvents: string; readonly paymentEvents: string };
  /** Created (as orders.state is declared) if missing. */
  readonly outputTopic: string;
  readonly store: KafkaStreamsStore;
  /** Also the consumer group; a fresh one reads both inputs from the start. */
  readonly applicationId: string;
  /** Default: the aggregator's, config.processorCommitIntervalMs. */
  readonly commitIntervalMs?: number;
  /** Default: Kafka Streams' default statestore.cache.max.bytes (10 MiB). */
  readonly cacheMaxBytes?: number;
  /** Default 1, Kafka Streams' default. */
  readonly threads?: number;
  /** Default: the inputs' end offsets when the round starts. */
  readonly expectedEvents?: number;
  readonly timeoutMs?: number;
}

export interface KafkaStreamsRound extends CatchUp {
  readonly store: KafkaStreamsStore;
  readonly applicationId: string;
  readonly events: number;
  /** user + system CPU of the java process until caught up (Linux /proc), null where unknown. */
  readonly processCpuSeconds: number | null;
  readonly summary: KafkaStreamsFoldSummary;
}

/** CPU seconds of a process so far, from /proc/<pid>/stat (utime + stime, in clock ticks of 1/100 s on Linux). */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesized command name; utime and stime are the 14th and 15th fields
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(((Number(fields[11]) + Number(fields[12])) / 100).toFixed(2));
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs the peer on the inputs until its group has committed their end, then stops it. */
export async function runKafkaStreamsRound(options: KafkaStreamsRoundOptions): Promise<KafkaStreamsRound> {
  const { config, inputs, outputTopic, store, applicationId } = options;
  requireLoopback(config);
  const jar = await buildKafkaStreamsPeer();
  const topics = [inputs.orderEvents, inputs.paymentEvents];
  const admin = createAdmin(config.kafka, 'kafka-streams-peer');
  const stateDir = path.join(os.tmpdir(), `streamfold-kafka-streams-${applicationId}`);
  rmSync(stateDir, { recursive: true, force: true });
  let child: ChildProcess | undefined;
  try {
    await createOutputTopic(admin, outputTopic);
    const expected = options.expectedEvents ?? (await endOffsetsTotal(admin, topics));
    const args = [
      ...PEER_DEFAULTS.javaOpts.split(/\s+/),
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-jar',
      jar,
      ...['--bootstrap-servers', config.kafka.brokers.join(',')],
      ...['--registry-url', apicurioApiUrl(config.schemaRegistry.url)],
      ...['--orders-topic', inputs.orderEvents, '--payments-topic', inputs.paymentEvents, '--output-topic', outputTopic],
      ...['--application-id', applicationId, '--store', store, '--state-dir', stateDir],
      ...['--commit-interval-ms', String(options.commitIntervalMs ?? config.processorCommitIntervalMs)],
      ...['--cache-max-bytes', String(options.cacheMaxBytes ?? PEER_DEFAULTS.cacheMaxBytes)],
      ...['--threads', String(options.threads ?? PEER_DEFAULTS.threads)],
    ];
    const started = Date.now();
    const spawned = spawn('java', args, { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    let stdout = '';
    let stderrTail = '';
    spawned.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    // kept for the error message of a failed round; Kafka Streams logs at WARN and above only
    spawned.stderr.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString('utf8')).slice(-8000)));
    const alive = () => {
      if (spawned.exitCode !== null || spawned.signalCode !== null) {
        throw new Error(`the Kafka Streams peer (${applicationId}) exited early (${spawned.exitCode ?? spawned.signalCode}):\n${stderrTail}`);
      }
    };
    const catchUp = await waitUntilCommitted(admin, applicationId, topics, expected, started, { timeoutMs: options.timeoutMs, alive });
    const cpu = processCpuSeconds(spawned.pid);
    spawned.kill('SIGTERM');
    const stop = setTimeout(() => spawned.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited(spawned);
    clearTimeout(stop);
    const line = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 && code !== 143) throw new Error(`the Kafka Streams peer (${applicationId}) exited with ${code} when stopped:\n${stderrTail}`);
    let summary: KafkaStreamsFoldSummary;
    try {
      summary = JSON.parse(line) as KafkaStreamsFoldSummary;
    } catch {
      throw new Error(`the Kafka Streams peer (${applicationId}) printed no summary (stdout: ${JSON.stringify(line)}):\n${stderrTail}`);
    }
    return { ...catchUp, store, applicationId, events: expected, processCpuSeconds: cpu, summary };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(stateDir, { recursive: true, force: true });
    await admin.close();
  }
}
