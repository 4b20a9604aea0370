/**
 * The whole pipeline on a private broker (private-kafka.ts), for fault
 * tests: every topic under a unique prefix, the five services as child
 * processes (each logging to a file of its own), the load generator as a
 * child process, /health polling, and the wait for every consumer group to
 * reach lag 0. Everything it starts is killed, and its Redis keys and
 * ClickHouse database removed, in cleanup() (useFaultPipeline registers it).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type Redis from 'ioredis';
import { consumerLag, PartitionLag, totalLag } from '../../../lib/admin/consumer-lag';
import { provisionTopics } from '../../../lib/admin/provision-topics';
import { desiredTopics } from '../../../lib/admin/topic-plan';
import { createClickHouse } from '../../../lib/clients/clickhouse';
import { describeGroup } from '../../../lib/admin/consumer-groups';
import { createAdmin, type Admin } from '../../../lib/kafka/clients';
import { createRedis } from '../../../lib/clients/redis';
import type { AppConfig } from '../../../lib/config';
import { topicNames } from '../../../lib/topics';
import { registryCodec } from '../../../lib/streaming/registry-codec';
import type { RunSummary } from '../../../producers/loadgen/runner';
import { PIPELINE_SERVICES, PipelineService, pipelineService } from '../../../scripts/pipeline-services';
import { deleteKeysWithPrefix } from '../../../sinks/redis/clear-keys';
import { config, logger, uniqueName } from '../../integration/support/env';
import { exited, ROOT, spawnService, TestPipeline, withAdmin } from '../../integration/support/pipeline';
import { sinkMetric } from '../../integration/support/sink';
import type { PrivateKafka } from './private-kafka';
import { nodeArgs } from '../../../lib/service/project-root';

export const SERVICE_NAMES = ['validator', 'order-aggregator', 'fraud-detector', 'redis-sink', 'clickhouse-sink'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const REDIS_KEY_PREFIX = 'sf-fault:';
/** Load: at least the 1,000 events/s; FAULTS_RATE overrides. */
export const LOAD_RATE = Number(process.env['FAULTS_RATE'] ?? 1500);
/** Sinks write small batches quickly, so catching up after a fault is not dominated by batching. */
const SINK_ENV = { SINK_BATCH_MAX_DELAY_MS: '200' };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ServiceInstance {
  /** e.g. order-aggregator#2 */
  readonly label: string;
  readonly service: PipelineService;
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly logFile: string;
}

export interface LoadRun {
  readonly child: ChildProcess;
  /** The load generator's summary (its --json output), once it exited; rejects if it failed. */
  readonly done: Promise<RunSummary>;
  readonly logFile: string;
}

export interface HealthSample {
  readonly at: number;
  /** HTTP status, or 0 when the endpoint did not answer within the poll interval. */
  readonly status: number;
  readonly detail?: unknown;
}

export interface LagOutcome {
  /** When every group was seen at lag 0 (epoch ms), or null if not within the wait. */
  readonly reachedAt: number | null;
  /** reachedAt minus the reference instant. */
  readonly afterMs: number | null;
  /** The last reading of each group still behind (empty when all reached 0). */
  readonly behind: Record<string, PartitionLag[]>;
}

export class FaultPipeline {
  readonly pipeline: TestPipeline;
  readonly prefix: string;
  readonly serviceConfig: AppConfig;
  readonly redisPrefix: string;
  readonly database: string;
  readonly logDir: string;
  readonly redis: Redis;
  readonly clickhouse: ClickHouseClient;
  readonly instances: ServiceInstance[] = [];
  /** Instances the scenario stopped on purpose (others must still run at the end). */
  readonly stopped = new Set<string>();
  private readonly loads: ChildProcess[] = [];
  private readonly pollers: HealthPoller[] = [];
  private admin: Admin | undefined;
  private counters = new Map<string, number>();

  private constructor(
    readonly broker: PrivateKafka,
    base: string,
  ) {
    this.prefix = `${uniqueName(base)}.`;
    this.serviceConfig = { ...config, kafka: { ...config.kafka, brokers: [broker.brokers], clientId: 'fault-test' }, topicPrefix: this.prefix };
    this.pipeline = {
      prefix: this.prefix,
      topics: topicNames(this.prefix),
      kafkaConfig: this.serviceConfig.kafka,
      codec: registryCodec(this.serviceConfig, logger),
    };
    this.redisPrefix = `${REDIS_KEY_PREFIX}${this.prefix}`;
    this.database = this.prefix.replace(/[^A-Za-z0-9]/g, '_').replace(/_+$/, '');
    // kept after the run (git-ignored), for the report and post-mortems
    this.logDir = path.join(ROOT, '.infra', 'logs', 'faults', this.prefix.replace(/\.$/, ''));
    mkdirSync(this.logDir, { recursive: true });
    this.redis = createRedis(config.redis);
    this.clickhouse = createClickHouse(config.clickhouse, 'default');
  }

  /** Provisions every topic under a fresh prefix on the (running) private broker. */
  static async create(broker: PrivateKafka, base: string): Promise<FaultPipeline> {
    const fault = new FaultPipeline(broker, base);
    await withAdmin(fault.pipeline.kafkaConfig, (admin) => provisionTopics(admin, desiredTopics(undefined, { prefix: fault.prefix })));
    return fault;
  }

  /** The environment of every service: the private broker, the prefix, its own Redis keys and ClickHouse database. */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BROKERS: this.broker.brokers,
      TOPIC_PREFIX: this.prefix,
      REDIS_KEY_PREFIX,
      CLICKHOUSE_DATABASE: this.database,
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      ...SINK_ENV,
      ...extra,
    };
  }

  /**
   * Starts one more instance of a service; resolves once its /health answers
   * (waits up to startTimeoutMs: a service started while the broker is down waits for it).
   */
  async startService(name: ServiceName, env: Record<string, string> = {}, startTimeoutMs = 90_000): Promise<ServiceInstance> {
    const service = pipelineService(name);
    const n = (this.counters.get(name) ?? 0) + 1;
    this.counters.set(name, n);
    const label = `${name}#${n}`;
    const logFile = path.join(this.logDir, `${label.replace('#', '-')}.log`);
    let spawned: ChildProcess | undefined;
    const { child, httpPort } = await spawnService(service.main, this.pipeline, this.serviceEnv(env), {
      logFile,
      startTimeoutMs,
      onSpawn: (c) => {
        spawned = c;
        this.instances.push({ label, service, child: c, httpPort: 0, logFile });
      },
    });
    const index = this.instances.findIndex((i) => i.child === spawned);
    const instance: ServiceInstance = { label, service, child, httpPort, logFile };
    this.instances[index] = instance;
    for (const poller of this.pollers) poller.watch(instance);
    return instance;
  }

  /** The five services, one instance each, with per-service extra environment. */
  async startAll(
    envByService: Partial<Record<ServiceName, Record<string, string>>> = {},
    startTimeoutMs?: number,
  ): Promise<Record<ServiceName, ServiceInstance>> {
    const started = await Promise.all(SERVICE_NAMES.map((name) => this.startService(name, envByService[name] ?? {}, startTimeoutMs)));
    return Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, started[i]!])) as Record<ServiceName, ServiceInstance>;
  }

  /** SIGTERM (graceful stop); resolves with the exit code, or 'timeout' if it did not exit in time (then it is killed). */
  async stopService(instance: ServiceInstance, timeoutMs = 60_000): Promise<number | null | 'timeout'> {
    this.stopped.add(instance.label);
    instance.child.kill('SIGTERM');
    const code = await Promise.race([exited(instance.child), sleep(timeoutMs).then(() => 'timeout' as const)]);
    if (code === 'timeout') {
      instance.child.kill('SIGKILL');
      await exited(instance.child);
    }
    return code;
  }

  /** The load generator for `durationMs` at LOAD_RATE (at least 1,000 events/s), as a child process on the private broker. */
  startLoad(durationMs: number, seed = 7): LoadRun {
    const logFile = path.join(this.logDir, `loadgen-${this.loads.length + 1}.log`);
    const err = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        process.execPath,
        nodeArgs(
          'producers/loadgen/run.ts',
          '--duration',
          `${durationMs}ms`,
          '--rate',
          String(LOAD_RATE),
          '--prefix',
          this.prefix,
          '--seed',
          String(seed),
          '--customers',
          '2000',
          '--json',
        ),
        { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: this.broker.brokers, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', err] },
      );
    } finally {
      closeSync(err);
    }
    this.loads.push(child);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const done = exited(child).then((code) => {
      if (code !== 0) throw new Error(`the load generator exited with ${code ?? child.signalCode}; its stderr (${logFile}) ends with:\n${tail(logFile, 20)}`);
      return JSON.parse(stdout) as RunSummary;
    });
    done.catch(() => undefined); // awaited by the scenario; never an unhandled rejection meanwhile
    return { child, done, logFile };
  }

  /** Polls /health of every instance (and those started later) every `intervalMs`. */
  pollHealth(intervalMs = 500): HealthPoller {
    const poller = new HealthPoller(intervalMs);
    for (const instance of this.instances) poller.watch(instance);
    this.pollers.push(poller);
    return poller;
  }

  /** Each service's consumer group and the topics it reads (scripts/pipeline-services.ts). */
  groups(names: readonly ServiceName[] = SERVICE_NAMES): Array<{ group: string; topics: readonly string[] }> {
    return PIPELINE_SERVICES.filter((s) => names.includes(s.name as ServiceName)).map((s) => ({
      group: s.group(this.serviceConfig),
      topics: s.inputs(this.serviceConfig, logger),
    }));
  }

  /**
   * Waits until one reading sees every group at lag 0. The outcome says when,
   * relative to `referenceMs` (the broker back, or the load's end); it keeps
   * waiting up to `waitMs` so a late recovery is told apart from none.
   */
  async waitForLagZero(referenceMs: number, waitMs: number, names: readonly ServiceName[] = SERVICE_NAMES): Promise<LagOutcome> {
    const groups = this.groups(names);
    const deadline = referenceMs + waitMs;
    let behind: Record<string, PartitionLag[]>;
    for (;;) {
      try {
        const admin = await this.connectedAdmin();
        behind = {};
        for (const { group, topics } of groups) {
          const lags = await consumerLag(admin, group, topics);
          if (totalLag(lags) > 0) behind[group] = lags.filter((l) => l.lag > 0);
        }
        if (Object.keys(behind).length === 0) {
          const reachedAt = Date.now();
          return { reachedAt, afterMs: reachedAt - referenceMs, behind };
        }
      } catch (error) {
        behind = { unreadable: [] };
        await this.dropAdmin();
        logger.debug({ err: error }, 'lag reading failed; retrying');
      }
      if (Date.now() > deadline) return { reachedAt: null, afterMs: null, behind };
      await sleep(500);
    }
  }

  /**
   * Waits until the group is rebalancing (a join under way), so a fault can
   * hit the coordinator mid-rebalance; false if it was not seen within `timeoutMs`.
   */
  async waitForRebalance(service: ServiceName, timeoutMs = 15_000): Promise<boolean> {
    const groupId = pipelineService(service).group(this.serviceConfig);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const admin = await this.connectedAdmin();
        if (/Rebalance/i.test((await describeGroup(admin, groupId)).state)) return true;
      } catch {
        await this.dropAdmin();
      }
      await sleep(50);
    }
    return false;
  }

  /** One metric of an instance's /metrics (sum over label sets with `labels`); undefined when it does not answer. */
  async metric(instance: ServiceInstance, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    return sinkMetric(instance.httpPort, name, labels);
  }

  /** The last lines of an instance's log (or any file of the run). */
  tail(file: string, lines = 40): string {
    return tail(file, lines);
  }

  /** Prints the end of every service log and the broker's warnings, for a failed scenario. */
  printDiagnostics(): void {
    const parts: string[] = [`[faults] logs kept in ${this.logDir}`];
    for (const instance of this.instances) parts.push(`----- ${instance.label} (${instance.logFile}), last lines:\n${tail(instance.logFile, 30)}`);
    const brokerProblems = this.broker
      .log()
      .split('\n')
      .filter((line) => / (ERROR|WARN) /.test(line))
      .slice(-20);
    parts.push(`----- broker ${this.broker.logPath}, last warnings and errors:\n${brokerProblems.join('\n')}`);
    process.stderr.write(`${parts.join('\n')}\n`);
  }

  /** Kills everything this pipeline started, removes its Redis keys and ClickHouse database, keeps the logs (with the broker's). */
  async cleanup(): Promise<void> {
    for (const poller of this.pollers.splice(0)) poller.stop();
    for (const child of [...this.loads, ...this.instances.map((i) => i.child)]) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    await this.dropAdmin();
    if (existsSync(this.broker.logPath)) copyFileSync(this.broker.logPath, path.join(this.logDir, 'broker-server.log'));
    try {
      await deleteKeysWithPrefix(this.redis, this.redisPrefix);
      await this.clickhouse.command({ query: `DROP DATABASE IF EXISTS ${this.database}` });
    } finally {
      await Promise.all([this.redis.quit(), this.clickhouse.close()]);
    }
  }

  /** One admin client kept across polls (the client connects on its first request). */
  private async connectedAdmin(): Promise<Admin> {
    this.admin ??= createAdmin(this.pipeline.kafkaConfig, 'fault-test');
    return this.admin;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.close().catch(() => undefined);
  }
}

export class HealthPoller {
  readonly samples = new Map<string, HealthSample[]>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly intervalMs: number) {}

  watch(instance: ServiceInstance): void {
    if (instance.httpPort === 0 || this.samples.has(instance.label)) return;
    const list: HealthSample[] = [];
    this.samples.set(instance.label, list);
    let busy = false;
    const timer = setInterval(() => {
      if (busy || instance.child.exitCode !== null || instance.child.signalCode !== null) return;
      busy = true;
      const at = Date.now();
      fetch(`http://127.0.0.1:${instance.httpPort}/health`, { signal: AbortSignal.timeout(this.intervalMs) })
        .then(async (response) => list.push({ at, status: response.status, detail: await response.json().catch(() => undefined) }))
        .catch(() => list.push({ at, status: 0 }))
        .finally(() => (busy = false));
    }, this.intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Samples of an instance taken within [from, to]. */
  between(label: string, from: number, to: number): HealthSample[] {
    return (this.samples.get(label) ?? []).filter((s) => s.at >= from && s.at <= to);
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/**
 * The file's fault pipeline: created by the scenario once the broker runs,
 * always cleaned up when the file ends, and its diagnostics printed when a
 * scenario throws (run the scenario's body through `scenario`).
 */
export function useFaultPipeline(): { create(broker: PrivateKafka, base: string): Promise<FaultPipeline>; scenario(body: () => Promise<void>): Promise<void> } {
  let current: FaultPipeline | undefined;
  afterAll(async () => {
    await current?.cleanup();
    current = undefined;
  }, 120_000);
  return {
    async create(broker, base) {
      current = await FaultPipeline.create(broker, base);
      return current;
    },
    async scenario(body) {
      try {
        await body();
      } catch (error) {
        current?.printDiagnostics();
        throw error;
      }
    },
  };
}
