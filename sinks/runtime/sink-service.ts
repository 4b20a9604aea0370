/**
 * Runs a sink as a service, like processors/runtime/service.ts does for
 * processors: configuration from the environment (lib/config plus the
 * SINK_* tuning), the registry-backed Avro codec, the sink engine, /health
 * and /metrics, and a graceful stop on SIGTERM/SIGINT (write and commit the
 * current batch, leave the group, close the store). It waits while Kafka is
 * unreachable and exits non-zero, saying why, when it cannot go on.
 */
import { requireTopicsOnStart } from '../../lib/admin/require-topics';
import { AppConfig, describeConfig, loadConfig } from '../../lib/config';
import { createLogger, Logger } from '../../lib/logger';
import { EXIT_FAILURE, exitOnStartFailure, exitOnUncaught, exitService, loadOrExit } from '../../lib/service/exit';
import type { TaggedValue } from '../../lib/serde';
import { topicNames, TopicNames } from '../../lib/topics';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { startHttpEndpoint, WAITING_FOR_KAFKA } from '../../lib/streaming/http-endpoint';
import { SinkEngine } from './sink-engine';
import { readSinkSettings, SinkSettings, SinkSettingsDefaults } from './sink-settings';
import type { SinkWriter } from './sink-writer';

export interface SinkService<V extends TaggedValue> {
  /** Service name: logger name, and (after TOPIC_PREFIX) the consumer group, e.g. `redis-sink`. */
  readonly service: string;
  /** /health and /metrics port unless HTTP_PORT says otherwise. */
  readonly defaultHttpPort: number;
  /** The input topics, from the (prefixed) topic names. */
  inputs(topics: TopicNames): string[];
  /** The store's writer; it connects in its start(), not here. */
  createWriter(config: AppConfig, logger: Logger): SinkWriter<V>;
  /** This store's batching and retry defaults; SINK_* variables override them. */
  readonly defaults?: SinkSettingsDefaults;
}

/**
 * Start-up in the order processors/runtime/service.ts explains: the HTTP
 * endpoint, the signal handlers, the topics (waiting while Kafka does not
 * answer), then the engine.
 */
export async function runSinkService<V extends TaggedValue>(spec: SinkService<V>, config: AppConfig, settings: SinkSettings, logger: Logger): Promise<void> {
  logger.info({ config: describeConfig(config), settings }, 'starting');
  const codec = registryCodec(config, logger, { autoRegister: false });
  const name = `${config.topicPrefix}${spec.service}`;
  const inputs = spec.inputs(topicNames(config.topicPrefix));

  let stopping = false;
  const engine: SinkEngine<V> = new SinkEngine<V>({
    kafka: config.kafka,
    name,
    topics: inputs,
    topicPrefix: config.topicPrefix,
    codec,
    writer: spec.createWriter(config, logger),
    logger,
    settings,
    stallTimeoutMs: config.healthStallTimeoutMs,
    onFatal: (error) => {
      if (stopping) return;
      stopping = true;
      engine
        .stop()
        .catch((stopError: unknown) => logger.error({ err: stopError }, 'stop after a crash failed'))
        .finally(() => exitService(logger, EXIT_FAILURE, 'the sink cannot recover; exiting for its supervisor to restart it', error));
    },
  });
  let waiting = true;
  const http = await startHttpEndpoint(config.httpPort ?? spec.defaultHttpPort, engine.metrics.registry, () => (waiting ? WAITING_FOR_KAFKA : engine.health()));
  logger.info({ port: http.port }, 'health and metrics endpoint listening');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // before the engine started there is no batch to write and no group to leave
    (waiting ? Promise.resolve() : engine.stop())
      .then(() => http.close())
      .then(() => exitService(logger, 0, 'stopped'))
      .catch((error: unknown) => exitService(logger, EXIT_FAILURE, 'stop failed', error));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await requireTopicsOnStart({ ...config.kafka, clientId: spec.service }, inputs, spec.service, config.topicPrefix, {
      logger,
      brokers: config.kafka.brokers,
      stopped: () => stopping,
    });
    if (stopping) return;
    waiting = false;
    await engine.start();
  } catch (error) {
    // a stop ends the waits with an error; the stop exits by itself
    if (stopping) return;
    throw error;
  }
  if (!stopping) logger.info({ group: engine.groupId }, 'running');
}

/** Entry point of a sink's main.ts: runs the service, or exits saying why (lib/service/exit.ts has the codes). */
export function startSinkService<V extends TaggedValue>(spec: SinkService<V>): void {
  const loaded = loadOrExit(spec.service, () => ({ config: loadConfig(), settings: readSinkSettings(spec.defaults) }));
  if (loaded === undefined) return;
  const logger = createLogger(spec.service, loaded.config.logLevel);
  exitOnUncaught(logger);
  runSinkService(spec, loaded.config, loaded.settings, logger).catch((error: unknown) => exitOnStartFailure(logger, error));
}
