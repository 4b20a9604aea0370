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

function pinoLogCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      // kafkajs logs every heartbeat answered "rebalancing" as an error; a rebalance is routine
      const routine = namespace === 'Connection' && /rebalanc/i.test(String(extra.error ?? ''));
      kafkaLogger[routine ? 'debug' : (LEVEL_NAMES[level] ?? 'info')]({ namespace, ...extra }, message);
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
