/**
 * The pipeline's own services, declared once: name (and so consumer group
 * after TOPIC_PREFIX), entry point and health port. scripts/services reads
 * this list (run directly, it prints one "name main port" line per service);
 * scripts/rebuild finds a service's entry point here.
 */
import { fraudDetectorService } from '../processors/fraud-detector/service';
import { orderAggregatorService } from '../processors/order-aggregator/service';
import { validatorService } from '../processors/validator/service';
import { clickhouseSinkService } from '../sinks/clickhouse/service';
import { redisSinkService } from '../sinks/redis/service';

export interface PipelineService {
  readonly name: string;
  /** Entry point, relative to the repository root. */
  readonly main: string;
  readonly httpPort: number;
}

const entry = (spec: { service: string; defaultHttpPort: number }, folder: string): PipelineService => ({
  name: spec.service,
  main: `${folder}/main.ts`,
  httpPort: spec.defaultHttpPort,
});

export const PIPELINE_SERVICES: readonly PipelineService[] = [
  entry(validatorService, 'processors/validator'),
  entry(orderAggregatorService, 'processors/order-aggregator'),
  entry(fraudDetectorService, 'processors/fraud-detector'),
  entry(redisSinkService, 'sinks/redis'),
  entry(clickhouseSinkService, 'sinks/clickhouse'),
];

export function pipelineService(name: string): PipelineService {
  const found = PIPELINE_SERVICES.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no pipeline service named ${name}: ${PIPELINE_SERVICES.map((s) => s.name).join(', ')}`);
  return found;
}

if (require.main === module) {
  for (const s of PIPELINE_SERVICES) process.stdout.write(`${s.name} ${s.main} ${s.httpPort}\n`);
}
