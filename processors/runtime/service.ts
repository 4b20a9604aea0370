/**
 * Runs a processor as a service: configuration from the environment, the
 * registry-backed Avro codec, the streaming engine, /health and /metrics, and
 * a graceful stop on SIGTERM/SIGINT (commit what is processed, leave the group).
 * It waits while Kafka is unreachable and exits non-zero, saying why, when it
 * cannot go on (lib/service/exit.ts), for a supervisor to restart it.
 */
import { requireTopicsOnStart } from '../../lib/admin/require-topics';
import { AppConfig, describeConfig, loadConfig } from '../../lib/config';
import { createLogger, Logger } from '../../lib/logger';
import { EXIT_FAILURE, exitOnStartFailure, exitOnUncaught, exitService, loadOrExit } from '../../lib/service/exit';
import { topicNames, TopicNames } from '../../lib/topics';
import type { RecordCodec } from '../../lib/streaming/codec';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { startHttpEndpoint, WAITING_FOR_KAFKA } from '../../lib/streaming/http-endpoint';
import type { ProcessorDefinition } from './processor';
import { StreamApp } from './stream-app';
import type { TaggedValue } from '../../lib/serde';

export interface ProcessorService<In extends TaggedValue> {
  /** Service name: logger name, and (after TOPIC_PREFIX) the consumer group. */
  readonly service: string;
  /** /health and /metrics port unless HTTP_PORT says otherwise. */
  readonly defaultHttpPort: number;
  build(topics: TopicNames, codec: RecordCodec, config: AppConfig, name: string): ProcessorDefinition<In>;
}

/** The processor a service runs, on the configured prefix: its group is `<TOPIC_PREFIX><service>`. */
export function buildDefinition<In extends TaggedValue>(spec: ProcessorService<In>, config: AppConfig, codec: RecordCodec): ProcessorDefinition<In> {
  return spec.build(topicNames(config.topicPrefix), codec, config, `${config.topicPrefix}${spec.service}`);
}

/**
 * Start-up, in this order: the HTTP endpoint (a taken port fails at once,
 * and /health answers 503 during the waits), the signal handlers (a stop
 * during the waits exits at once), the topics (waiting while Kafka does not
 * answer), then the engine (which waits for Kafka by itself too).
 */
export async function runProcessorService<In extends TaggedValue>(spec: ProcessorService<In>, config: AppConfig, logger: Logger): Promise<void> {
  logger.info({ config: describeConfig(config) }, 'starting');
  const codec = registryCodec(config, logger);
  const definition = buildDefinition(spec, config, codec);
  const app = new StreamApp({
    kafka: config.kafka,
    instanceId: config.processorInstanceId,
    definition,
    codec,
    logger,
    commitIntervalMs: config.processorCommitIntervalMs,
    transactionTimeoutMs: config.processorTransactionTimeoutMs,
    sessionTimeoutMs: config.processorSessionTimeoutMs,
    stallTimeoutMs: config.healthStallTimeoutMs,
    // the app logged the fault; the supervisor starts a fresh instance
    onFatal: (error: Error) => exitService(logger, EXIT_FAILURE, 'the processor cannot recover; exiting for its supervisor to restart it', error),
  });
  let waiting = true;
  const http = await startHttpEndpoint(config.httpPort ?? spec.defaultHttpPort, app.metrics.registry, () => (waiting ? WAITING_FOR_KAFKA : app.health()));
  logger.info({ port: http.port }, 'health and metrics endpoint listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // before the engine started there is nothing to commit and no group to leave
    (waiting ? Promise.resolve() : app.stop())
      .then(() => http.close())
      .then(() => exitService(logger, 0, 'stopped'))
      .catch((error: unknown) => exitService(logger, EXIT_FAILURE, 'stop failed', error));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await requireTopicsOnStart(
      { ...config.kafka, clientId: spec.service },
      [...definition.inputs, ...definition.outputs, ...definition.stores.map((s) => s.changelogTopic), ...definition.tables.map((t) => t.topic)],
      spec.service,
      config.topicPrefix,
      { logger, brokers: config.kafka.brokers, stopped: () => stopping },
    );
    if (stopping) return;
    waiting = false;
    await app.start();
  } catch (error) {
    // a stop ends the waits with an error; the stop exits by itself
    if (stopping) return;
    throw error;
  }
  if (!stopping) logger.info({ group: app.groupId }, 'running');
}

/** Entry point of a processor's main.ts: runs the service, or exits saying why (lib/service/exit.ts has the codes). */
export function startProcessorService<In extends TaggedValue>(spec: ProcessorService<In>): void {
  const config = loadOrExit(spec.service, () => loadConfig());
  if (config === undefined) return;
  const logger = createLogger(spec.service, config.logLevel);
  exitOnUncaught(logger);
  runProcessorService(spec, config, logger).catch((error: unknown) => exitOnStartFailure(logger, error));
}
