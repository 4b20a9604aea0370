export {
  loadConfig,
  describeConfig,
  LOCAL_DEFAULTS,
  DEFAULT_PROCESSOR_COMMIT_INTERVAL_MS,
  DEFAULT_PROCESSOR_TRANSACTION_TIMEOUT_MS,
  PROCESSING_GUARANTEES,
  DEFAULT_PROCESSOR_SESSION_TIMEOUT_MS,
  DEFAULT_HEALTH_STALL_TIMEOUT_MS,
} from './config';
export type { AppConfig, FraudEnv, KafkaConfig, SchemaRegistryConfig, RedisConfig, ClickHouseConfig, LogLevel, ProcessingGuarantee } from './config';
export { ConfigError } from './env';
