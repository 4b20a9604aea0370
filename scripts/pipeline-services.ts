/**
 * The pipeline's own services, declared once: name (and so consumer group
 * after TOPIC_PREFIX), entry point and health port. scripts/services reads
 * this list (run directly, it prints one "name main port" line per service);
 * scripts/rebuild finds a service's entry point here.
 */
import type { AppConfig } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { TaggedValue } from '../lib/serde';
import { topicNames } from '../lib/topics';
import { fraudDetectorService } from '../processors/fraud-detector/service';
import { orderAggregatorService } from '../processors/order-aggregator/service';
import { registryCodec } from '../lib/streaming/registry-codec';
import { buildDefinition, ProcessorService } from '../processors/runtime/service';
import { validatorService } from '../processors/validator/service';
import { clickhouseSinkService } from '../sinks/clickhouse/service';
import { redisSinkService } from '../sinks/redis/service';
import type { SinkService } from '../sinks/runtime/sink-service';

export interface PipelineService {
  readonly name: string;
  /** Entry point, relative to the repository root. */
  readonly main: string;
  readonly httpPort: number;
  /** Its consumer group under the configured TOPIC_PREFIX. */
  group(config: AppConfig): string;
  /** The topics it reads under the configured TOPIC_PREFIX. */
  inputs(config: AppConfig, logger: Logger): readonly string[];
}

function processor<In extends TaggedValue>(spec: ProcessorService<In>, folder: string): PipelineService {
  return {
    name: spec.service,
    main: `${folder}/main.ts`,
    httpPort: spec.defaultHttpPort,
    group: (config) => `${config.topicPrefix}${spec.service}`,
    inputs: (config, logger) => buildDefinition(spec, config, registryCodec(config, logger)).inputs,
  };
}

function sink<V extends TaggedValue>(spec: SinkService<V>, folder: string): PipelineService {
  return {
    name: spec.service,
    main: `${folder}/main.ts`,
    httpPort: spec.defaultHttpPort,
    group: (config) => `${config.topicPrefix}${spec.service}`,
    inputs: (config) => spec.inputs(topicNames(config.topicPrefix)),
  };
}

export const PIPELINE_SERVICES: readonly PipelineService[] = [
  processor(validatorService, 'processors/validator'),
  processor(orderAggregatorService, 'processors/order-aggregator'),
  processor(fraudDetectorService, 'processors/fraud-detector'),
  sink(redisSinkService, 'sinks/redis'),
  sink(clickhouseSinkService, 'sinks/clickhouse'),
];

export function pipelineService(name: string): PipelineService {
  const found = PIPELINE_SERVICES.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no pipeline service named ${name}: ${PIPELINE_SERVICES.map((s) => s.name).join(', ')}`);
  return found;
}

if (require.main === module) {
  for (const s of PIPELINE_SERVICES) process.stdout.write(`${s.name} ${s.main} ${s.httpPort}\n`);
}
