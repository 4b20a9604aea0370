/**
 * The one typed configuration of every service, read from environment
 * variables. Defaults point at the local services of scripts/infra (ports in
 * scripts/infra.d/infra.env; a unit test keeps the two in step).
 */
import { Env, EnvReader, redactUrl } from './env';

export const LOCAL_DEFAULTS = {
  kafkaBrokers: '127.0.0.1:19092',
  schemaRegistryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  redisUrl: 'redis://127.0.0.1:16379',
  clickhouseUrl: 'http://127.0.0.1:18123',
} as const;

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/**
 * Kafka Streams' processing.guarantee. Only exactly_once_v2 (KIP-447: one
 * transactional producer per instance, the offsets sent with the group's
 * metadata) is left; EOS v1 (a producer per input partition) was removed, as
 * Kafka Streams removed it in 4.0. Kept as a setting so an old
 * `exactly_once` is refused by name rather than silently ignored.
 */
export const PROCESSING_GUARANTEES = ['exactly_once_v2'] as const;
export type ProcessingGuarantee = (typeof PROCESSING_GUARANTEES)[number];

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl: boolean;
  /** PEM file with the CA that signed the brokers' certificates (with ssl). */
  readonly sslCaFile: string | undefined;
  readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export interface SchemaRegistryConfig {
  readonly url: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

export interface RedisConfig {
  /** redis:// or rediss:// (TLS); credentials may be in the URL or in REDIS_PASSWORD. */
  readonly url: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly keyPrefix: string;
}

export interface ClickHouseConfig {
  /** http:// or https:// (TLS) */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
}

/** Fraud rule settings from FRAUD_<RULE>_<THRESHOLD|WINDOW_MS|ADVANCE_MS> and FRAUD_GRACE_MS; unset means the rule's default. */
export interface FraudEnv {
  readonly graceMs: number | undefined;
  /** By rule name as the variable spells it in kebab case, e.g. FRAUD_ORDER_COUNT_THRESHOLD → order-count. */
  readonly rules: Readonly<Record<string, { threshold?: number; windowSizeMs?: number; advanceMs?: number }>>;
}

export interface AppConfig {
  /** Prepended to every topic name (and so to subjects): isolated copies of the pipeline for tests or staging. */
  readonly topicPrefix: string;
  /** Port of a service's /health and /metrics endpoint; undefined: the service's own default. */
  readonly httpPort: number | undefined;
  readonly kafka: KafkaConfig;
  readonly schemaRegistry: SchemaRegistryConfig;
  readonly redis: RedisConfig;
  readonly clickhouse: ClickHouseConfig;
  readonly logLevel: LogLevel;
  readonly fraud: FraudEnv;
  /** How often a processor starts an exactly-once transaction while there is progress (Kafka Streams' commit.interval.ms). */
  readonly processorCommitIntervalMs: number;
  /** A processor transaction open longer than this is aborted by the broker (Kafka's transaction.timeout.ms). */
  readonly processorTransactionTimeoutMs: number;
  /** A processor instance silent this long loses its partitions to the others (the consumer's session.timeout.ms). */
  readonly processorSessionTimeoutMs: number;
  /**
   * Names a processor instance's transactional id; a restart with the same id fences what the
   * previous run left open at once. Undefined: a new id per start (what it left open waits for the transaction timeout).
   */
  readonly processorInstanceId: string | undefined;
  readonly processingGuarantee: ProcessingGuarantee;
  /** /health turns not ready when an assigned partition with lag has committed nothing for this long, or the consumer has not reached the broker for this long. */
  readonly healthStallTimeoutMs: number;
}

function readKafka(read: EnvReader): KafkaConfig {
  const mechanism = read.optionalString('KAFKA_SASL_MECHANISM');
  let sasl: KafkaConfig['sasl'];
  if (mechanism !== undefined) {
    const username = read.optionalString('KAFKA_SASL_USERNAME');
    const password = read.optionalString('KAFKA_SASL_PASSWORD');
    if (username === undefined || password === undefined) {
      read.problem('KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set too');
    }
    sasl = {
      mechanism: read.oneOf('KAFKA_SASL_MECHANISM', SASL_MECHANISMS, 'plain'),
      username: username ?? '',
      password: password ?? '',
    };
  }
  return {
    brokers: read.hostPorts('KAFKA_BROKERS', LOCAL_DEFAULTS.kafkaBrokers),
    clientId: read.string('KAFKA_CLIENT_ID', 'streamfold'),
    ssl: read.bool('KAFKA_SSL', false),
    sslCaFile: read.optionalString('KAFKA_SSL_CA_FILE'),
    sasl,
    connectionTimeoutMs: read.int('KAFKA_CONNECTION_TIMEOUT_MS', 3000, 100, 600_000),
    requestTimeoutMs: read.int('KAFKA_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
  };
}

function readSchemaRegistry(read: EnvReader): SchemaRegistryConfig {
  return {
    url: read.url('SCHEMA_REGISTRY_URL', LOCAL_DEFAULTS.schemaRegistryUrl, ['http:', 'https:']),
    username: read.optionalString('SCHEMA_REGISTRY_USERNAME'),
    password: read.optionalString('SCHEMA_REGISTRY_PASSWORD'),
  };
}

function readRedis(read: EnvReader): RedisConfig {
  return {
    url: read.url('REDIS_URL', LOCAL_DEFAULTS.redisUrl, ['redis:', 'rediss:']),
    username: read.optionalString('REDIS_USERNAME'),
    password: read.optionalString('REDIS_PASSWORD'),
    keyPrefix: read.string('REDIS_KEY_PREFIX', 'sf:'),
  };
}

function readClickHouse(read: EnvReader): ClickHouseConfig {
  const database = read.string('CLICKHOUSE_DATABASE', 'streamfold');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) {
    read.problem(`CLICKHOUSE_DATABASE="${database}" must be a plain identifier (letters, digits, _)`);
  }
  return {
    url: read.url('CLICKHOUSE_URL', LOCAL_DEFAULTS.clickhouseUrl, ['http:', 'https:']),
    username: read.string('CLICKHOUSE_USER', 'default'),
    password: read.string('CLICKHOUSE_PASSWORD', ''),
    database,
  };
}

const FRAUD_SETTING = /^FRAUD_([A-Z0-9_]+?)_(THRESHOLD|WINDOW_MS|ADVANCE_MS)$/;
const FRAUD_FIELDS = { THRESHOLD: 'threshold', WINDOW_MS: 'windowSizeMs', ADVANCE_MS: 'advanceMs' } as const;

function readFraud(read: EnvReader, env: Env): FraudEnv {
  const rules: Record<string, { threshold?: number; windowSizeMs?: number; advanceMs?: number }> = {};
  for (const name of Object.keys(env).sort()) {
    const match = FRAUD_SETTING.exec(name);
    if (!match || env[name] === undefined || env[name]?.trim() === '') continue;
    const [, ruleName, field] = match as unknown as [string, string, keyof typeof FRAUD_FIELDS];
    const rule = ruleName.toLowerCase().replace(/_/g, '-');
    rules[rule] = { ...rules[rule], [FRAUD_FIELDS[field]]: read.int(name, 0, 1, Number.MAX_SAFE_INTEGER) };
  }
  const grace = read.optionalString('FRAUD_GRACE_MS');
  return { graceMs: grace === undefined ? undefined : read.int('FRAUD_GRACE_MS', 0, 0, Number.MAX_SAFE_INTEGER), rules };
}

/** Reads and validates the whole configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const topicPrefix = read.string('TOPIC_PREFIX', '');
  if (!/^[A-Za-z0-9._-]*$/.test(topicPrefix)) {
    read.problem(`TOPIC_PREFIX="${topicPrefix}" may only contain letters, digits, '.', '_' and '-' (Kafka topic characters)`);
  }
  const httpPort = read.optionalString('HTTP_PORT') === undefined ? undefined : read.int('HTTP_PORT', 0, 0, 65535);
  const config: AppConfig = {
    topicPrefix,
    httpPort,
    kafka: readKafka(read),
    schemaRegistry: readSchemaRegistry(read),
    redis: readRedis(read),
    clickhouse: readClickHouse(read),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    fraud: readFraud(read, env),
    processorCommitIntervalMs: read.int('PROCESSOR_COMMIT_INTERVAL_MS', DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS, 10, 60_000),
    processorTransactionTimeoutMs: read.int('PROCESSOR_TRANSACTION_TIMEOUT_MS', DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS, 1_000, 900_000),
    processorSessionTimeoutMs: read.int('PROCESSOR_SESSION_TIMEOUT_MS', DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS, 3_000, 300_000),
    processorInstanceId: read.optionalString('PROCESSOR_INSTANCE_ID'),
    processingGuarantee: read.oneOf('PROCESSOR_PROCESSING_GUARANTEE', PROCESSING_GUARANTEES, 'exactly_once_v2'),
    healthStallTimeoutMs: read.int('HEALTH_STALL_TIMEOUT_MS', DEFAULT_HEALTH_STALL_TIMEOUT_MS, 1_000, 3_600_000),
  };
  read.done();
  return config;
}

/**
 * Kafka Streams commits every 100 ms under exactly-once. Here a transaction
 * is sent while processing goes on, so the interval mostly bounds how long
 * a record waits for the next one: on the 2-core benchmark machine 40 ms gave
 * the lowest end-to-end latency (shorter intervals load the broker with more
 * transactions and end up slower). Higher values trade latency for fewer
 * transactions.
 */
export const DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS = 40;

/** Under exactly_once_v2, what a crashed instance left open blocks its partitions' next owner (require_stable) at most this long. */
export const DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS = 30_000;
/** A dead instance's partitions wait this long for a new owner. */
export const DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS = 10_000;
export const DEFAULT_HEALTH_STALL_TIMEOUT_MS = 10_000;

const HIDDEN = '***';

/** The configuration with every secret masked: the only form that may be logged. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    topicPrefix: config.topicPrefix,
    httpPort: config.httpPort,
    kafka: {
      ...config.kafka,
      sasl: config.kafka.sasl && { mechanism: config.kafka.sasl.mechanism, username: config.kafka.sasl.username, password: HIDDEN },
    },
    schemaRegistry: {
      url: redactUrl(config.schemaRegistry.url),
      username: config.schemaRegistry.username,
      password: config.schemaRegistry.password && HIDDEN,
    },
    redis: { ...config.redis, url: redactUrl(config.redis.url), password: config.redis.password && HIDDEN },
    clickhouse: { ...config.clickhouse, url: redactUrl(config.clickhouse.url), password: config.clickhouse.password && HIDDEN },
    logLevel: config.logLevel,
    fraud: config.fraud,
    processorCommitIntervalMs: config.processorCommitIntervalMs,
    processorTransactionTimeoutMs: config.processorTransactionTimeoutMs,
    processorSessionTimeoutMs: config.processorSessionTimeoutMs,
    processorInstanceId: config.processorInstanceId,
    processingGuarantee: config.processingGuarantee,
    healthStallTimeoutMs: config.healthStallTimeoutMs,
  };
}
