/**
 * What `scripts/rebuild` can rebuild, and for each: the service that builds
 * it (its entry point and consumer group), the topics it reads, and how its
 * projection is cleared: keys by prefix (Redis), table rows (ClickHouse),
 * or a processor's changelogs and output topics.
 */
import type { Admin } from '../../lib/kafka/clients';
import { recreateTopics } from '../../lib/admin/recreate-topics';
import { createClickHouse } from '../../lib/clients/clickhouse';
import { createRedis } from '../../lib/clients/redis';
import type { AppConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { fraudDetectorService } from '../../processors/fraud-detector/service';
import { orderAggregatorService } from '../../processors/order-aggregator/service';
import { registryCodec } from '../../lib/streaming/registry-codec';
import { buildDefinition, ProcessorService } from '../../processors/runtime/service';
import { validatorService } from '../../processors/validator/service';
import { truncateTables } from '../../sinks/clickhouse/truncate-tables';
import { clickhouseSinkService } from '../../sinks/clickhouse/service';
import { deleteKeysWithPrefix } from '../../sinks/redis/clear-keys';
import { sinkKeyPrefix } from '../../sinks/redis/keys';
import { redisSinkService } from '../../sinks/redis/service';
import type { TaggedValue } from '../../lib/serde';
import { pipelineService } from '../pipeline-services';

export const TARGET_NAMES = ['redis', 'clickhouse', 'validator', 'order-aggregator', 'fraud-detector'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface RebuildTarget {
  readonly name: TargetName;
  readonly service: string;
  /** Entry point, relative to the repository root. */
  readonly main: string;
  readonly group: string;
  readonly inputs: readonly string[];
  /** Topics the service writes that are emptied (processors only): their readers must start over. */
  readonly derivedTopics: readonly string[];
  /** A processor with stores: state built from a topic that was emptied and refilled is stale until rebuilt. */
  readonly stateful: boolean;
  /** What clear() removes, for the confirmation. */
  readonly clears: string;
  /** Empties the projection; returns what it did. */
  clear(admin: Admin): Promise<string>;
}

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

function processorTarget<In extends TaggedValue>(name: TargetName, spec: ProcessorService<In>, config: AppConfig, logger: Logger): RebuildTarget {
  const definition = buildDefinition(spec, config, registryCodec(config, logger));
  const derivedTopics = [...definition.outputs, ...definition.stores.map((store) => store.changelogTopic)];
  return {
    name,
    service: spec.service,
    main: pipelineService(spec.service).main,
    group: definition.name,
    inputs: definition.inputs,
    derivedTopics,
    stateful: definition.stores.length > 0,
    clears: `the topics ${derivedTopics.join(', ')} (deleted and created again, empty)`,
    clear: async (admin) => {
      await recreateTopics(admin, derivedTopics, config.topicPrefix, logger);
      return `recreated ${derivedTopics.length} topic(s) empty: ${derivedTopics.join(', ')}`;
    },
  };
}

/** A sink's projection: the sink service re-reads its inputs into the store once `clear` emptied it. */
function sinkTarget(name: TargetName, service: string, config: AppConfig, logger: Logger, clears: string, clear: () => Promise<string>): RebuildTarget {
  const entry = pipelineService(service);
  return {
    name,
    service,
    main: entry.main,
    group: entry.group(config),
    inputs: entry.inputs(config, logger),
    derivedTopics: [],
    stateful: false,
    clears,
    clear,
  };
}

async function clearRedis(config: AppConfig, prefix: string): Promise<string> {
  const redis = createRedis(config.redis);
  try {
    return `deleted ${await deleteKeysWithPrefix(redis, prefix)} Redis key(s) under "${prefix}"`;
  } finally {
    redis.disconnect();
  }
}

async function clearClickHouse(config: AppConfig): Promise<string> {
  const database = config.clickhouse.database;
  const client = createClickHouse(config.clickhouse);
  try {
    const tables = await truncateTables(client, database);
    return `emptied ${tables.length} table(s) in ${database}: ${tables.join(', ')}`;
  } finally {
    await client.close();
  }
}

export function rebuildTarget(name: TargetName, config: AppConfig, logger: Logger): RebuildTarget {
  switch (name) {
    case 'validator':
      return processorTarget(name, validatorService, config, logger);
    case 'order-aggregator':
      return processorTarget(name, orderAggregatorService, config, logger);
    case 'fraud-detector':
      return processorTarget(name, fraudDetectorService, config, logger);
    case 'redis': {
      const prefix = sinkKeyPrefix(config);
      return sinkTarget(name, redisSinkService.service, config, logger, `every Redis key under "${prefix}"`, () => clearRedis(config, prefix));
    }
    case 'clickhouse':
      return sinkTarget(
        name,
        clickhouseSinkService.service,
        config,
        logger,
        `every row of the tables in the ClickHouse database ${config.clickhouse.database} (the schema stays)`,
        () => clearClickHouse(config),
      );
  }
}
