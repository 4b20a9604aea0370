export { loadConfig, describeConfig, LOCAL_DEFAULTS, DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS } from './config';
export type { AppConfig, FraudEnv, KafkaConfig, SchemaRegistryConfig, RedisConfig, ClickHouseConfig, LogLevel } from './config';
export { ConfigError } from './env';
