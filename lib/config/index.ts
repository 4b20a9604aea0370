export { loadConfig, describeConfig, LOCAL_DEFAULTS } from './config';
export type { AppConfig, FraudEnv, KafkaConfig, SchemaRegistryConfig, RedisConfig, ClickHouseConfig, LogLevel } from './config';
export { ConfigError } from './env';
