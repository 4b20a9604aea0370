/** The kafkajs client, configured from KafkaConfig, logging through pino. */
import { readFileSync } from 'node:fs';
import { Kafka, logLevel as KafkaLogLevel, LogEntry, SASLOptions, Partitioners, ProducerConfig } from 'kafkajs';
import type { KafkaConfig } from '../config';
import type { Logger } from '../logger';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * What kafkajs logs as errors or warnings but is routine: a heartbeat
 * answered "rebalancing", and a transaction begun while the broker still
 * writes the previous one's markers (CONCURRENT_TRANSACTIONS, which kafkajs
 * retries).
 */
function isRoutine(namespace: string, error: string, message: string): boolean {
  if (namespace === 'Connection' && /rebalanc/i.test(error)) return true;
  return /concurrent operation on the same transaction/i.test(`${error} ${message}`);
}

/**
 * A broker out of reach: kafkajs logs each failed connection at error level,
 * a dozen lines per attempt, while the runtime already says (at warn) what
 * it waits for and when it retries. Kept, as warnings.
 */
function isOutage(namespace: string, message: string): boolean {
  return namespace === 'Connection' || /Failed to connect to seed broker/.test(message);
}

function pinoLogCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const name = isRoutine(namespace, String(extra.error ?? ''), message) ? 'debug' : level === KafkaLogLevel.ERROR && isOutage(namespace, message) ? 'warn' : (LEVEL_NAMES[level] ?? 'info');
      kafkaLogger[name]({ namespace, ...extra }, message);
    };
}

function sasl(config: KafkaConfig): SASLOptions | undefined {
  if (config.sasl === undefined) return undefined;
  const { mechanism, username, password } = config.sasl;
  return { mechanism, username, password } as SASLOptions;
}

export function createKafka(config: KafkaConfig, logger: Logger, clientId = config.clientId): Kafka {
  return new Kafka({
    clientId,
    brokers: [...config.brokers],
    ssl: config.ssl ? (config.sslCaFile ? { ca: [readFileSync(config.sslCaFile, 'utf8')] } : true) : false,
    sasl: sasl(config),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // kafkajs logs INFO chatter on every join and commit; warnings and errors are what operators need
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger),
  });
}

/**
 * Producer settings shared by every producer: the Java-compatible murmur2
 * partitioner (so other clients co-partition by key) and idempotence.
 */
export function producerDefaults(): ProducerConfig {
  return {
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  };
}
