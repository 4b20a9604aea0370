/**
 * The ClickHouse sink's SinkWriter (sinks/runtime/sink-writer.ts): a thin
 * adapter over writeRecords (write-records.ts). Per batch, one JSONEachRow
 * insert per table; resolved only after ClickHouse acknowledged them.
 *
 * - Replays, redeliveries and retries of a whole batch are harmless: every
 *   table is replay-safe (see migrations/), so the engine may resend anything.
 * - Records that can never be stored are returned as rejections (the engine
 *   dead-letters them): values that do not fit their columns (code
 *   clickhouse:bad-row) and values the server refused (clickhouse:<code>).
 * - ClickHouse down, slow, or refusing the request itself (tables missing,
 *   authentication): write() throws, the engine pauses, backs off and sends
 *   the same batch again; nothing is committed meanwhile.
 *
 * start() applies pending migrations (idempotent) unless told not to, so a
 * sink on a fresh database creates its tables. The client is bound to the
 * `default` database: every statement names the sink's database itself,
 * which may not exist before the migrations run.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { Counter, Histogram } from 'prom-client';
import { createClickHouse } from '../../lib/clients/clickhouse';
import type { ClickHouseConfig } from '../../lib/config';
import { redactUrl } from '../../lib/config/env';
import type { Logger } from '../../lib/logger';
import type { RecordRejection, SinkRecord, SinkWriter, SinkWriterContext, WriteResult, WriterHealth } from '../runtime/sink-writer';
import { ClickHouseWriteError } from './insert-errors';
import { migrate } from './migrate';
import type { ClickHouseSinkValue } from './rows';
import { RejectedRecord, WriteRecordsResult, writeRecords } from './write-records';

export interface ClickHouseWriterOptions {
  readonly clickhouse: ClickHouseConfig;
  /** The analytics database; default: clickhouse.database (CLICKHOUSE_DATABASE). */
  readonly database?: string;
  /** Apply pending migrations in start(); default true. */
  readonly migrate?: boolean;
  /** A client to use instead of one from `clickhouse` (tests: chDB); the writer does not close it. */
  readonly client?: ClickHouseClient;
}

/** The dead-letter code of a rejection: bad-row for values caught before sending, the server's error code otherwise. */
export function rejectionCode(error: Error): string {
  if (error instanceof ClickHouseWriteError) return `clickhouse:${error.code ?? 'refused'}`;
  return 'clickhouse:bad-row';
}

export class ClickHouseSinkWriter implements SinkWriter<ClickHouseSinkValue> {
  readonly name = 'clickhouse';
  private readonly database: string;
  private readonly displayUrl: string;
  private client: ClickHouseClient | undefined;
  private logger: Logger | undefined;
  private rows: Counter | undefined;
  private rejected: Counter<'code'> | undefined;
  private failures: Counter<'kind'> | undefined;
  private insertSeconds: Histogram | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: ClickHouseWriterOptions) {
    this.database = options.database ?? options.clickhouse.database;
    this.displayUrl = redactUrl(options.clickhouse.url);
  }

  async start({ logger, registry }: SinkWriterContext): Promise<void> {
    this.logger = logger;
    const registers = [registry];
    this.rows = new Counter({
      name: 'sink_clickhouse_rows_total',
      help: 'Rows inserted, all tables (re-inserts while isolating bad records included)',
      registers,
    });
    this.rejected = new Counter({
      name: 'sink_clickhouse_rejected_records_total',
      help: 'Records ClickHouse cannot store, by dead-letter code',
      labelNames: ['code'],
      registers,
    });
    this.failures = new Counter({
      name: 'sink_clickhouse_write_failures_total',
      help: 'Batches that failed and will be retried, by kind (unavailable, misconfigured)',
      labelNames: ['kind'],
      registers,
    });
    this.insertSeconds = new Histogram({ name: 'sink_clickhouse_batch_seconds', help: 'Duration of a batch: mapping and every insert', registers });
    const client = this.options.client ?? createClickHouse(this.options.clickhouse, 'default');
    this.client = client;
    if (this.options.migrate ?? true) {
      try {
        const report = await migrate(client, this.database, { logger });
        logger.info(
          { database: this.database, applied: report.applied.map((m) => m.name), alreadyApplied: report.skipped.length },
          'ClickHouse migrations up to date',
        );
      } catch (error) {
        throw new Error(
          `ClickHouse at ${this.displayUrl}, database ${this.database}: migrations failed: ${error instanceof Error ? error.message : String(error)} ` +
            `(is it running? scripts/infra status; CLICKHOUSE_URL/USER/PASSWORD)`,
          { cause: error },
        );
      }
    }
    logger.info({ url: this.displayUrl, database: this.database }, 'ClickHouse writer ready');
  }

  async write(records: readonly SinkRecord<ClickHouseSinkValue>[]): Promise<WriteResult> {
    const client = this.client;
    if (client === undefined) throw new Error('ClickHouse writer: write() before start()');
    const timer = this.insertSeconds?.startTimer();
    let result: WriteRecordsResult<SinkRecord<ClickHouseSinkValue>>;
    try {
      result = await writeRecords(client, this.database, records);
    } catch (error) {
      if (error instanceof ClickHouseWriteError) {
        this.failures?.inc({ kind: error.kind });
        if (error.message !== this.lastError) {
          // the engine logs every failed attempt; say once what this one means
          const log = error.kind === 'misconfigured' ? this.logger?.error.bind(this.logger) : this.logger?.warn.bind(this.logger);
          log?.({ kind: error.kind, table: error.table, code: error.code }, error.message);
        }
        this.lastError = error.message;
      }
      throw error;
    }
    timer?.();
    this.lastError = undefined;
    this.rows?.inc(result.rows);
    return { rejected: result.rejected.map((r) => this.rejection(r)) };
  }

  private rejection({ record, error }: RejectedRecord<SinkRecord<ClickHouseSinkValue>>): RecordRejection {
    const code = rejectionCode(error);
    this.rejected?.inc({ code });
    return { record, code, message: error.message };
  }

  health(): WriterHealth {
    return {
      ready: this.client !== undefined && this.lastError === undefined,
      detail: { url: this.displayUrl, database: this.database, lastError: this.lastError },
    };
  }

  async close(): Promise<void> {
    if (this.options.client === undefined) await this.client?.close();
    this.client = undefined;
  }
}
