/**
 * The Redis sink's SinkWriter: one pipeline per batch of version-gated Lua
 * script calls (EVALSHA, many keys per call: script-calls.ts), resolved
 * only when Redis answered every command. Any failure fails the whole
 * batch, which the engine retries as a whole: the scripts are idempotent,
 * so what did succeed the first time changes nothing the second.
 *
 * NOSCRIPT (Redis restarted and lost its script cache) reloads the scripts
 * and runs the batch again at once; WRONGTYPE (a key holds something the
 * sink did not write) can never succeed, so the records of that key are
 * rejected to the dead-letter topic.
 */
import type Redis from 'ioredis';
import { Counter } from 'prom-client';
import { createRedis } from '../../lib/clients/redis';
import type { RedisConfig } from '../../lib/config';
import { redactUrl } from '../../lib/config/env';
import type { Logger } from '../../lib/logger';
import type { RecordRejection, SinkRecord, SinkWriter, SinkWriterContext, WriteResult, WriterHealth } from '../runtime/sink-writer';
import { DEFAULT_RECENT_ALERTS } from './alert-entry';
import { RedisKeys, redisKeys } from './keys';
import { isNoScript, LuaScripts } from './lua-scripts';
import { planBatch, RedisOp, RedisSinkValue } from './plan-batch';
import { DEFAULT_KEYS_PER_CALL, PlannedCall, planCalls } from './script-calls';

export interface RedisWriterOptions {
  readonly redis: RedisConfig;
  /** Every key starts with this (see keys.ts: REDIS_KEY_PREFIX + TOPIC_PREFIX). */
  readonly keyPrefix: string;
  /** Alerts kept per customer. */
  readonly recentAlerts?: number;
  /** Keys per batch script call (see script-calls.ts). */
  readonly keysPerCall?: number;
}

interface ExecOutcome {
  readonly rejected: RecordRejection[];
  readonly noScript: boolean;
}

export class RedisWriteError extends Error {
  override readonly name = 'RedisWriteError';
}

export class RedisSinkWriter implements SinkWriter<RedisSinkValue> {
  readonly name = 'redis';
  /**
   * The next batch is planned and sent while Redis works on the previous
   * one: every write is version-gated, and Redis runs one connection's
   * pipelines in the order they were sent.
   */
  readonly maxConcurrentWrites = 2;
  private readonly keys: RedisKeys;
  private readonly scripts = new LuaScripts();
  private readonly recentAlerts: number;
  private readonly keysPerCall: number;
  private readonly displayUrl: string;
  private client: Redis | undefined;
  private logger: Logger | undefined;
  private operations: Counter<'op' | 'result'> | undefined;
  private collapsed: Counter | undefined;
  private reloads: Counter | undefined;
  private lastConnectionError: string | undefined;

  constructor(private readonly options: RedisWriterOptions) {
    this.keys = redisKeys(options.keyPrefix);
    this.recentAlerts = options.recentAlerts ?? DEFAULT_RECENT_ALERTS;
    this.keysPerCall = options.keysPerCall ?? DEFAULT_KEYS_PER_CALL;
    this.displayUrl = redactUrl(options.redis.url);
  }

  async start({ logger, registry }: SinkWriterContext): Promise<void> {
    this.logger = logger;
    const registers = [registry];
    this.operations = new Counter({
      name: 'sink_redis_operations_total',
      help: 'Script calls by operation and result (applied, or skipped as not newer / already there)',
      labelNames: ['op', 'result'],
      registers,
    });
    this.collapsed = new Counter({
      name: 'sink_redis_collapsed_records_total',
      help: 'Records folded into a newer record of the same key within a batch',
      registers,
    });
    this.reloads = new Counter({ name: 'sink_redis_script_reloads_total', help: 'Lua script reloads after NOSCRIPT (Redis lost its script cache)', registers });
    const client = createRedis(this.options.redis, { lazyConnect: true });
    client.on('error', (error: Error) => {
      // ioredis reports every failed reconnect; once per distinct message is enough (the engine logs failed writes)
      if (error.message !== this.lastConnectionError) logger.warn({ url: this.displayUrl, err: error.message }, 'Redis connection error');
      this.lastConnectionError = error.message;
    });
    client.on('ready', () => {
      if (this.lastConnectionError !== undefined) logger.info({ url: this.displayUrl }, 'Redis connection ready again');
      this.lastConnectionError = undefined;
    });
    this.client = client;
    try {
      await client.connect();
      await this.scripts.load(client);
    } catch (error) {
      client.disconnect();
      throw new Error(
        `Redis sink cannot start: ${error instanceof Error ? error.message : String(error)} (REDIS_URL=${this.displayUrl}); is Redis running (scripts/infra status) and are REDIS_URL / REDIS_PASSWORD right?`,
        { cause: error },
      );
    }
    logger.info({ url: this.displayUrl, keyPrefix: this.keys.prefix, recentAlerts: this.recentAlerts }, 'Redis writer ready; scripts loaded');
  }

  async write(records: readonly SinkRecord<RedisSinkValue>[]): Promise<WriteResult> {
    const plan = planBatch(records);
    this.collapsed?.inc(plan.collapsed);
    let outcome = await this.execute(plan.ops);
    if (outcome.noScript) {
      this.reloads?.inc();
      this.logger?.info('Redis lost the sink scripts (restarted?); reloading them and writing the batch again');
      await this.scripts.load(this.client as Redis);
      outcome = await this.execute(plan.ops);
      if (outcome.noScript)
        throw new RedisWriteError(`Redis at ${this.displayUrl} answers NOSCRIPT right after SCRIPT LOAD; is a proxy spreading commands over several servers?`);
    }
    return { rejected: [...plan.rejected, ...outcome.rejected] };
  }

  /**
   * One pipeline; throws on any failure other than NOSCRIPT (reported, so
   * the caller reloads and runs it again) and WRONGTYPE (rejections).
   */
  private async execute(ops: readonly RedisOp[]): Promise<ExecOutcome> {
    if (ops.length === 0) return { rejected: [], noScript: false };
    const client = this.client;
    if (!client) throw new RedisWriteError('the Redis writer was not started');
    const calls = planCalls(ops, this.keys, (name) => this.scripts.sha(name), { keysPerCall: this.keysPerCall, recentAlerts: this.recentAlerts });
    const pipeline = client.pipeline();
    for (const call of calls) {
      if (call.command === 'del') pipeline.del(...(call.args as string[]));
      else pipeline.evalsha(...(call.args as [string, number, ...(string | number)[]]));
    }
    const replies = await pipeline.exec();
    if (replies === null || replies.length !== calls.length) {
      throw new RedisWriteError(
        `Redis at ${this.displayUrl} did not answer the whole pipeline (${replies?.length ?? 0} of ${calls.length} replies); the connection probably dropped`,
      );
    }
    const rejected: RecordRejection[] = [];
    const rejectedRecords = new Set<SinkRecord<RedisSinkValue>>();
    let noScript = false;
    let failure: string | undefined;
    const outcome = (op: RedisOp, reply: unknown) => {
      if (typeof reply === 'number') {
        this.operations?.inc({ op: op.kind, result: reply > 0 ? 'applied' : 'skipped' });
      } else if (typeof reply === 'string' && reply.startsWith('WRONGTYPE')) {
        for (const record of op.records) {
          if (rejectedRecords.has(record)) continue;
          rejectedRecords.add(record);
          rejected.push({
            record,
            code: 'redis:WRONGTYPE',
            message: `Redis refused ${op.kind} for ${this.describe(op)}: ${reply}; another program wrote one of its keys with another type. Delete the key (the sink rebuilds it on replay) or change REDIS_KEY_PREFIX`,
          });
        }
      } else {
        failure ??= `${op.kind} for ${this.describe(op)}: ${typeof reply === 'string' ? reply : JSON.stringify(reply)}`;
      }
    };
    replies.forEach(([error, reply], i) => {
      const call = calls[i] as PlannedCall;
      if (error !== null) {
        if (isNoScript(error)) noScript = true;
        else if (!call.perOp && error.message.startsWith('WRONGTYPE')) outcome(call.ops[0] as RedisOp, error.message);
        else failure ??= error.message;
        return;
      }
      if (!call.perOp) return outcome(call.ops[0] as RedisOp, reply);
      if (!Array.isArray(reply) || reply.length !== call.ops.length) {
        failure ??= `a script answered ${JSON.stringify(reply).slice(0, 200)} for ${call.ops.length} keys; are the sink's Lua scripts and code from the same version?`;
        return;
      }
      call.ops.forEach((op, j) => outcome(op, reply[j]));
    });
    if (failure !== undefined) {
      throw new RedisWriteError(`Redis at ${this.displayUrl} failed a pipeline of ${calls.length} commands (${ops.length} keys): ${failure}`);
    }
    return { rejected, noScript };
  }

  private describe(op: RedisOp): string {
    switch (op.kind) {
      case 'put-order':
      case 'delete-order':
        return `order ${op.orderId}`;
      case 'put-counters':
      case 'delete-counters':
        return `customer ${op.customerId}'s counters`;
      case 'add-alert':
        return `alert ${op.alertId} of customer ${op.customerId}`;
    }
  }

  health(): WriterHealth {
    const status = this.client?.status ?? 'not started';
    return { ready: status === 'ready', detail: { redis: status, url: this.displayUrl, lastConnectionError: this.lastConnectionError } };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.quit();
    } catch {
      client.disconnect();
    }
  }
}
