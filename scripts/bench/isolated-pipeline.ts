/**
 * An isolated copy of the pipeline for a benchmark run on the shared local
 * services: every topic under a prefix of the run's own (so consumer groups
 * and registry subjects are the run's own too), a Redis key prefix and a
 * ClickHouse database of its own, and the pipeline's services started as
 * child processes on them. `cleanup` deletes the topics, the Redis keys and
 * the database, whatever happened.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { consumerLag, totalLag } from '../../lib/admin/consumer-lag';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { desiredTopics } from '../../lib/admin/topic-plan';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { createRedis } from '../../lib/clients/redis';
import type { AppConfig } from '../../lib/config';
import { createAdmin, type Admin } from '../../lib/kafka/clients';
import type { Logger } from '../../lib/logger';
import { TopicNames, topicNames } from '../../lib/topics';
import { nodeArgs, PROJECT_ROOT } from '../../lib/service/project-root';
import { freePort } from '../../sinks/bench/private-redis';
import { pipelineService } from '../pipeline-services';

const HEALTH_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

/** The pipeline's services a benchmark starts (entry points in scripts/pipeline-services.ts); the group is TOPIC_PREFIX + name. */
export type ServiceName = 'order-aggregator' | 'redis-sink' | 'clickhouse-sink';

export interface RunningService {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  /** The service's consumer group. */
  readonly groupId: string;
  /** When it was spawned and when /health first answered (performance.now()). */
  readonly spawnedAt: number;
  readonly healthyAt: number;
}

export interface IsolatedPipeline {
  /** TOPIC_PREFIX of the run, e.g. `bench-latency-lz3k.`. */
  readonly prefix: string;
  readonly topics: TopicNames;
  readonly redisKeyPrefix: string;
  readonly clickhouseDatabase: string;
  readonly admin: Admin;
  start(name: ServiceName, env?: Readonly<Record<string, string>>): Promise<RunningService>;
  /** SIGTERM (graceful: commit, leave the group), SIGKILL if it has not exited after 30 s. */
  stop(service: RunningService): Promise<void>;
  /** Records the group has not committed yet on the topics. */
  lag(groupId: string, topics: readonly string[]): Promise<number>;
  /** Deletes the run's topics, Redis keys and ClickHouse database; stops services still running. */
  cleanup(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitUntilHealthy(child: ChildProcess, port: number, name: string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${child.exitCode ?? child.signalCode}); its log is above`);
    }
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`${name} did not serve /health on port ${port} within ${HEALTH_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/** `bench` names the run: `bench-<bench>-<time>` prefixes everything it creates. */
export async function createIsolatedPipeline(config: AppConfig, logger: Logger, bench: string): Promise<IsolatedPipeline> {
  const runId = `bench-${bench}-${Date.now().toString(36)}`;
  const prefix = `${runId}.`;
  const redisKeyPrefix = `${runId}:`;
  // ClickHouse identifiers: letters, digits and underscores.
  const clickhouseDatabase = runId.replace(/[^A-Za-z0-9]/g, '_');
  const admin = createAdmin(config.kafka, `${config.kafka.clientId}-${runId}`);
  const running = new Set<RunningService>();

  const stop = async (service: RunningService): Promise<void> => {
    running.delete(service);
    if (service.child.exitCode !== null || service.child.signalCode !== null) return;
    service.child.kill('SIGTERM');
    const killed = setTimeout(() => service.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited(service.child);
    clearTimeout(killed);
  };

  const pipeline: IsolatedPipeline = {
    prefix,
    topics: topicNames(prefix),
    redisKeyPrefix,
    clickhouseDatabase,
    admin,
    async start(name, env = {}) {
      const port = await freePort();
      const spawnedAt = performance.now();
      const child = spawn(process.execPath, nodeArgs(pipelineService(name).main), {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          TOPIC_PREFIX: prefix,
          REDIS_KEY_PREFIX: redisKeyPrefix,
          CLICKHOUSE_DATABASE: clickhouseDatabase,
          HTTP_PORT: String(port),
          LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
          ...env,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const service: RunningService = { name, child, groupId: `${prefix}${name}`, spawnedAt, healthyAt: 0 };
      running.add(service);
      try {
        await waitUntilHealthy(child, port, name);
      } catch (err) {
        await stop(service);
        throw err;
      }
      const healthy = { ...service, healthyAt: performance.now() };
      running.delete(service);
      running.add(healthy);
      return healthy;
    },
    stop,
    async lag(groupId, topics) {
      return totalLag(await consumerLag(admin, groupId, topics));
    },
    async cleanup() {
      await Promise.all([...running].map(stop));
      const problems: string[] = [];
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } catch (err) {
        problems.push(`topics ${prefix}*: ${String(err)}`);
      }
      await admin.close().catch(() => undefined);
      const redis = createRedis(config.redis);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisKeyPrefix}*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.unlink(...keys);
          cursor = next;
        } while (cursor !== '0');
      } catch (err) {
        problems.push(`Redis keys ${redisKeyPrefix}*: ${String(err)}`);
      } finally {
        redis.disconnect();
      }
      const clickhouse = createClickHouse(config.clickhouse, 'default');
      try {
        await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${clickhouseDatabase}` });
      } catch (err) {
        problems.push(`ClickHouse database ${clickhouseDatabase}: ${String(err)}`);
      } finally {
        await clickhouse.close();
      }
      if (problems.length > 0) logger.warn({ problems }, 'benchmark clean-up incomplete; remove these by hand');
    },
  };
  try {
    const reports = await provisionTopics(admin, desiredTopics(undefined, { prefix }), { logger });
    const problems = reports.flatMap((r) => r.problems.map((p) => `${r.topic}: ${p}`));
    if (problems.length > 0) throw new Error(`cannot provision the benchmark topics: ${problems.join('; ')}`);
  } catch (err) {
    await pipeline.cleanup();
    throw err;
  }
  return pipeline;
}
