/**
 * The contract between the sink engine (sinks/runtime/sink-engine.ts) and a
 * store: what a writer for Redis, ClickHouse or anything else implements.
 *
 * What the engine does, so a writer does not have to:
 * - consumes the sink's input topics in a consumer group (read_committed),
 *   decodes each record with the registry-backed Avro codec, and sends
 *   records that cannot be decoded to `<topic>.dlq` itself;
 * - accumulates decoded records across fetches into one batch (up to
 *   SINK_BATCH_MAX_RECORDS records or SINK_BATCH_MAX_DELAY_MS since the
 *   first one) and calls `write()` with it; the next batch is consumed while
 *   the store works. One call at a time unless the writer sets
 *   `maxConcurrentWrites`;
 * - commits the batch's offsets only after `write()` resolved, and after
 *   the dead letters of the batch were produced; batches are committed in
 *   the order they were consumed, whatever order their writes complete in;
 * - when `write()` rejects (throws): pauses the input partitions, keeps the
 *   batch, and calls `write()` again with the same records after a capped
 *   exponential backoff (SINK_RETRY_INITIAL_MS … SINK_RETRY_MAX_MS) until it
 *   resolves; resumes consuming after the first success. A call that takes
 *   longer than SINK_WRITE_TIMEOUT_MS counts as failed and is retried (its
 *   promise is abandoned, not cancelled);
 * - on SIGTERM/SIGINT: writes the current batch, commits, leaves the group,
 *   then calls `close()`.
 *
 * What a writer must guarantee:
 * 1. Resolve `write()` only when the store acknowledged every record it did
 *    not reject (durable as far as the store goes). Resolving early loses
 *    data: the offsets are committed right after.
 * 2. Be idempotent and order-tolerant. Delivery is at-least-once: the same
 *    records come again after a crash, a failed commit, a rebalance, a
 *    replay from the earliest offset (a rebuild), or a retry of the very same
 *    batch, possibly after a newer version was written. Gate on the record's
 *    version (Redis: Lua compare-and-set; ClickHouse: ReplacingMergeTree on
 *    the version, FINAL/argMax in queries) so nothing moves backwards.
 * 3. Throw for anything transient (store down, timeout, overloaded): the
 *    batch is retried as a whole, nothing is committed. Throwing is never
 *    "losing" a record.
 * 4. Return a rejection for each record the store will never accept (it
 *    refuses the data itself; retrying cannot help): the engine sends it to
 *    `<topic>.dlq` with the original bytes and `code`/`message` in the
 *    dead-letter headers, and commits past it. Rejecting a record is the only
 *    way to skip one, and every rejection is logged and counted.
 * 5. Handle tombstones: `value === null` is a Kafka tombstone (delete), or
 *    reject it if the topic has no use for one.
 *
 * Records in a batch keep their partition's offset order; partitions are
 * interleaved in arrival order. A batch may hold records of several input
 * topics: switch on `catalogTopic` (the TOPIC.* name, without TOPIC_PREFIX).
 *
 * A ClickHouse writer, in outline:
 *
 *   const writer: SinkWriter<OrderStateMessage | FraudAlertMessage> = {
 *     name: 'clickhouse',
 *     async start({ logger, registry }) { await runMigrations(client); },
 *     async write(records) {
 *       const rejected: RecordRejection[] = [];
 *       const rows = toRows(records, rejected);          // pure row mapping, rejects bad data
 *       await client.insert({ table: 'order_state', values: rows, format: 'JSONEachRow' });
 *       return { rejected };
 *     },
 *     async close() { await client.close(); },
 *   };
 *   startSinkService({ service: 'clickhouse-sink', defaultHttpPort: 19402,
 *                      inputs: (topics) => [topics.orderState, topics.fraudAlerts],
 *                      createWriter: (config, logger) => writer,
 *                      defaults: { batching: { maxRecords: 20_000, maxDelayMs: 1_000 } } });
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../../lib/logger';
import type { TaggedValue } from '../../lib/serde';
import type { DeadLetterSource } from '../../lib/streaming/dead-letter';

/** One decoded Kafka record, as the writer receives it. */
export interface SinkRecord<V extends TaggedValue = TaggedValue> {
  /** The Kafka topic, with TOPIC_PREFIX (e.g. `test-x.orders.state`). */
  readonly topic: string;
  /** The topic as lib/topics.ts TOPIC names it, without TOPIC_PREFIX (e.g. `orders.state`): switch on this. */
  readonly catalogTopic: string;
  readonly partition: number;
  /** Kafka offset, a decimal string. */
  readonly offset: string;
  /** The record key as UTF-8; null when the record has none. */
  readonly key: string | null;
  /** The decoded value `{ type, value }` (see schemas/generated/types.ts), or null for a tombstone. */
  readonly value: V | null;
  /** Kafka record timestamp, epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The record as it arrived (original bytes, position): what a dead letter keeps. Writers do not need it. */
  readonly source: DeadLetterSource;
}

/** A record the store refuses for good: it goes to the dead-letter topic and is committed past. */
export interface RecordRejection {
  /** The very object passed to write() (compared by identity). */
  readonly record: SinkRecord<TaggedValue>;
  /** Short machine-readable reason, e.g. KEY_MISMATCH, redis:WRONGTYPE; the `dlq.error.code` header. */
  readonly code: string;
  /** What is wrong with the record and how to fix it; the `dlq.error.message` header. */
  readonly message: string;
}

export interface WriteResult {
  /** Records not written because the store refuses them; every other record must have been acknowledged. */
  readonly rejected: readonly RecordRejection[];
}

/** What a writer gets once, before its first write. */
export interface SinkWriterContext {
  /** The sink's name (the consumer group, e.g. `redis-sink` after TOPIC_PREFIX). */
  readonly sinkName: string;
  /** Child logger of the sink service (pino). */
  readonly logger: Logger;
  /** The service's Prometheus registry: a writer adds its own metrics here (served on /metrics). */
  readonly registry: Registry;
}

/** What the writer says for /health, merged into the sink's report. */
export interface WriterHealth {
  readonly ready: boolean;
  readonly detail?: Record<string, unknown>;
}

export interface SinkWriter<V extends TaggedValue = TaggedValue> {
  /** Short store name for logs and metrics labels, e.g. `redis`, `clickhouse`. */
  readonly name: string;
  /**
   * Connects, prepares the store (migrations, Lua scripts…). Called once,
   * before the consumer joins its group; a throw stops the service with the
   * error's message, so say what failed and how to fix it.
   */
  start(context: SinkWriterContext): Promise<void>;
  /**
   * How many write() calls may run at once (default 1). More lets the
   * engine hand over the next batch before the store acknowledged the
   * previous one, so preparing a batch overlaps the store's work on the
   * last. Calls start in batch order but may complete in any order, and a
   * failed earlier batch is retried after later ones were written: allow it
   * only where that is harmless (version-gated writes; Redis runs one
   * connection's commands in order anyway). Commits stay in batch order.
   */
  readonly maxConcurrentWrites?: number;
  /** Writes one batch (see the contract above). Never called with an empty batch. */
  write(records: readonly SinkRecord<V>[]): Promise<WriteResult>;
  /** Optional: store-side health for /health, e.g. connection state. Must not do I/O that can hang. */
  health?(): WriterHealth;
  /** Releases connections. Called once, after the last write and commit. */
  close(): Promise<void>;
}
