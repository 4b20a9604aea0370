/** ioredis against the project's Redis: writes and reads under a key prefix of this run. */
import { createRedis } from '../../lib/clients/redis';
import { config, uniqueName } from './support/env';

const redis = createRedis(config.redis);
const prefix = `${uniqueName('redis')}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

test('writes and reads strings, hashes and sorted sets', async () => {
  await redis.set(`${prefix}greeting`, 'hello');
  await redis.hset(`${prefix}order:o-1`, { status: 'PLACED', totalCents: '1999', version: '1' });
  await redis.zadd(`${prefix}customer:c-1:orders`, 1700000000000, 'o-1', 1600000000000, 'o-0');

  expect(await redis.get(`${prefix}greeting`)).toBe('hello');
  expect(await redis.hgetall(`${prefix}order:o-1`)).toEqual({ status: 'PLACED', totalCents: '1999', version: '1' });
  expect(await redis.zrange(`${prefix}customer:c-1:orders`, 0, -1)).toEqual(['o-0', 'o-1']);
});

test('a pipeline is applied as a whole and answers per command', async () => {
  const results = await redis.pipeline().incrby(`${prefix}counter`, 5).incrby(`${prefix}counter`, 7).get(`${prefix}counter`).exec();
  expect(results?.map(([error, value]) => [error, value])).toEqual([
    [null, 5],
    [null, 12],
    [null, '12'],
  ]);
});
