/** The typed config module: defaults, validation messages, secret masking. No services. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError, describeConfig, loadConfig, LOCAL_DEFAULTS } from '../../../lib/config';
import { createLogger } from '../../../lib/logger';

function infraEnv(): Record<string, string> {
  const text = readFileSync(path.resolve(__dirname, '../../../scripts/infra.d/infra.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

test('defaults point at the local services on the ports scripts/infra uses', () => {
  const ports = infraEnv();
  const config = loadConfig({});
  expect(config.kafka.brokers).toEqual([`127.0.0.1:${ports.KAFKA_PORT}`]);
  expect(new URL(config.schemaRegistry.url).port).toBe(ports.SCHEMA_REGISTRY_PORT);
  expect(new URL(config.redis.url).port).toBe(ports.REDIS_PORT);
  expect(new URL(config.clickhouse.url).port).toBe(ports.CLICKHOUSE_HTTP_PORT);
  expect(config.schemaRegistry.url).toBe(LOCAL_DEFAULTS.schemaRegistryUrl);
  expect(config.logLevel).toBe('info');
});

test('reads every variable it documents', () => {
  const config = loadConfig({
    KAFKA_BROKERS: 'k1:9092, k2:9093',
    KAFKA_CLIENT_ID: 'orders-service',
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: 'svc',
    KAFKA_SASL_PASSWORD: 'kafka-secret',
    SCHEMA_REGISTRY_URL: 'https://registry.example:8081',
    REDIS_URL: 'rediss://cache.example:6380',
    CLICKHOUSE_URL: 'https://ch.example:8443',
    CLICKHOUSE_DATABASE: 'analytics',
    LOG_LEVEL: 'debug',
    PROCESSOR_COMMIT_INTERVAL_MS: '25',
  });
  expect(config.processorCommitIntervalMs).toBe(25);
  expect(loadConfig({}).processorCommitIntervalMs).toBe(40);
  expect(() => loadConfig({ PROCESSOR_COMMIT_INTERVAL_MS: '0' })).toThrow(/PROCESSOR_COMMIT_INTERVAL_MS/);
  expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9093']);
  expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'kafka-secret' });
  expect(config.kafka.ssl).toBe(true);
  expect(config.clickhouse.database).toBe('analytics');
  expect(config.logLevel).toBe('debug');
});

test('a bad value stops start-up with a message naming the variable and what is wrong', () => {
  const problems = problemsOf({
    KAFKA_BROKERS: 'localhost',
    KAFKA_SSL: 'maybe',
    REDIS_URL: 'http://cache:6379',
    CLICKHOUSE_DATABASE: 'my-db',
    LOG_LEVEL: 'loud',
    KAFKA_REQUEST_TIMEOUT_MS: '5s',
  });
  expect(problems).toEqual([
    expect.stringMatching(/^KAFKA_BROKERS="localhost" must be a comma-separated list of host:port/),
    expect.stringMatching(/^KAFKA_SSL="maybe" must be true or false/),
    expect.stringMatching(/^KAFKA_REQUEST_TIMEOUT_MS="5s" must be an integer/),
    expect.stringMatching(/^REDIS_URL must use redis: or rediss:/),
    expect.stringMatching(/^CLICKHOUSE_DATABASE="my-db" must be a plain identifier/),
    expect.stringMatching(/^LOG_LEVEL="loud" must be one of: fatal, error/),
  ]);
});

test('SASL without credentials is refused', () => {
  expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' })).toEqual([expect.stringContaining('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set')]);
});

test('secrets never appear in the described config nor in log lines', () => {
  const config = loadConfig({
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: 'svc',
    KAFKA_SASL_PASSWORD: 'kafka-secret',
    SCHEMA_REGISTRY_PASSWORD: 'registry-secret',
    SCHEMA_REGISTRY_USERNAME: 'svc',
    REDIS_URL: 'redis://svc:redis-secret@cache:6379',
    CLICKHOUSE_PASSWORD: 'ch-secret',
  });
  const described = JSON.stringify(describeConfig(config));
  for (const secret of ['kafka-secret', 'registry-secret', 'redis-secret', 'ch-secret']) {
    expect(described).not.toContain(secret);
  }
  expect(described).toContain('redis://svc:***@cache:6379');

  // and the logger's redaction catches a raw config that slips into a log call
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  createLogger('test', 'info', sink).info({ kafka: config.kafka, clickhouse: config.clickhouse }, 'starting');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('"username":"svc"');
  expect(lines[0]).not.toMatch(/kafka-secret|ch-secret/);
});
