/**
 * The Redis sink as a service: orders.state, fraud.counters and fraud.alerts
 * materialized in Redis for key lookups (layout in keys.ts).
 */
import type { SinkService } from '../runtime/sink-service';
import { REDIS_SINK_BATCH } from './batching';
import { sinkKeyPrefix } from './keys';
import type { RedisSinkValue } from './plan-batch';
import { RedisSinkWriter } from './redis-writer';

export const redisSinkService: SinkService<RedisSinkValue> = {
  service: 'redis-sink',
  defaultHttpPort: 19401,
  inputs: (topics) => [topics.orderState, topics.fraudCounters, topics.fraudAlerts],
  createWriter: (config) => new RedisSinkWriter({ redis: config.redis, keyPrefix: sinkKeyPrefix(config) }),
  defaults: { batching: REDIS_SINK_BATCH },
};
