/**
 * Runs a sink as a service, like processors/runtime/service.ts does for
 * processors: configuration from the environment (lib/config plus the
 * SINK_* tuning), the registry-backed Avro codec, the sink engine, /health
 * and /metrics, and a graceful stop on SIGTERM/SIGINT (write and commit the
 * current batch, leave the group, close the store).
 */
import { requireTopicsOnStart } from '../../lib/admin/require-topics';
import { createKafka } from '../../lib/clients/kafka';
import { AppConfig, ConfigError, describeConfig, loadConfig } from '../../lib/config';
import { createLogger, Logger } from '../../lib/logger';
import type { TaggedValue } from '../../lib/serde';
import { topicNames, TopicNames } from '../../lib/topics';
import { registryCodec } from '../../processors/runtime/registry-codec';
import { startHttpEndpoint } from '../../processors/runtime/http-endpoint';
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

interface LoadedConfig {
  readonly config: AppConfig;
  readonly settings: SinkSettings;
}

function loadConfigOrExit(defaults: SinkSettingsDefaults | undefined): LoadedConfig {
  try {
    return { config: loadConfig(), settings: readSinkSettings(defaults) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export async function runSinkService<V extends TaggedValue>(spec: SinkService<V>): Promise<void> {
  const { config, settings } = loadConfigOrExit(spec.defaults);
  const logger = createLogger(spec.service, config.logLevel);
  logger.info({ config: describeConfig(config), settings }, 'starting');
  const kafka = createKafka(config.kafka, logger, spec.service);
  const codec = registryCodec(config, logger, { autoRegister: false });
  const name = `${config.topicPrefix}${spec.service}`;
  const inputs = spec.inputs(topicNames(config.topicPrefix));
  await requireTopicsOnStart(kafka, inputs, spec.service, config.topicPrefix);

  let stopping = false;
  const exit = (code: number) => {
    // pino writes asynchronously to stdout; give it a tick before exiting
    setImmediate(() => process.exit(code));
  };
  const engine: SinkEngine<V> = new SinkEngine<V>({
    kafka,
    name,
    topics: inputs,
    topicPrefix: config.topicPrefix,
    codec,
    writer: spec.createWriter(config, logger),
    logger,
    settings,
    onFatal: () => {
      if (stopping) return;
      stopping = true;
      engine
        .stop()
        .catch((error: unknown) => logger.error({ err: error }, 'stop after a crash failed'))
        .finally(() => exit(1));
    },
  });
  const http = await startHttpEndpoint(config.httpPort ?? spec.defaultHttpPort, engine.metrics.registry, () => engine.health());
  logger.info({ port: http.port }, 'health and metrics endpoint listening');

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    engine
      .stop()
      .then(() => http.close())
      .then(() => exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await engine.start();
  logger.info({ group: engine.groupId }, 'running');
}

/** Entry point of a sink's main.ts: runs the service, or exits 1 naming what failed. */
export function startSinkService<V extends TaggedValue>(spec: SinkService<V>): void {
  runSinkService(spec).catch((error: unknown) => {
    process.stderr.write(`${spec.service} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
