/** ioredis client from RedisConfig; rediss:// URLs use TLS. */
import Redis from 'ioredis';
import type { RedisConfig } from '../config';

export function createRedis(config: RedisConfig, options: { lazyConnect?: boolean } = {}): Redis {
  return new Redis(config.url, {
    username: config.username,
    password: config.password,
    lazyConnect: options.lazyConnect ?? false,
    // fail commands fast when Redis is down, so callers can back off and retry
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
}
