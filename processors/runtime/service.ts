/**
 * Runs a processor as a service: configuration from the environment, the
 * registry-backed Avro codec, the streaming engine, /health and /metrics, and
 * a graceful stop on SIGTERM/SIGINT (commit what is processed, leave the group).
 */
import { MissingTopicsError, requireTopicsOnStart } from '../../lib/admin/require-topics';
import { createKafka } from '../../lib/clients/kafka';
import { AppConfig, ConfigError, describeConfig, loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { topicNames, TopicNames } from '../../lib/topics';
import type { RecordCodec } from './codec';
import { registryCodec } from './registry-codec';
import { startHttpEndpoint } from './http-endpoint';
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

function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export async function runProcessorService<In extends TaggedValue>(spec: ProcessorService<In>): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(spec.service, config.logLevel);
  logger.info({ config: describeConfig(config) }, 'starting');
  const kafka = createKafka(config.kafka, logger, spec.service);
  const codec = registryCodec(config, logger);
  const definition = buildDefinition(spec, config, codec);
  await requireTopicsOnStart(
    kafka,
    [...definition.inputs, ...definition.outputs, ...definition.stores.map((s) => s.changelogTopic), ...definition.tables.map((t) => t.topic)],
    spec.service,
    config.topicPrefix,
  );
  const app = new StreamApp({ kafka, definition, codec, logger, commitIntervalMs: config.processorCommitIntervalMs });
  const http = await startHttpEndpoint(config.httpPort ?? spec.defaultHttpPort, app.metrics.registry, () => app.health());
  logger.info({ port: http.port }, 'health and metrics endpoint listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app
      .stop()
      .then(() => http.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await app.start();
  logger.info({ group: app.groupId }, 'running');
}

/** Entry point of a processor's main.ts: runs the service, or exits 1 naming what failed. */
export function startProcessorService<In extends TaggedValue>(spec: ProcessorService<In>): void {
  runProcessorService(spec).catch((error: unknown) => {
    // a known cause is said in words; anything else with its stack, to find it
    const detail = error instanceof MissingTopicsError ? error.message : error instanceof Error ? error.stack : String(error);
    process.stderr.write(`${spec.service} failed to start: ${detail}\n`);
    process.exit(1);
  });
}
