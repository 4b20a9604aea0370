import { redisKeys, sinkKeyPrefix } from '../../../sinks/redis/keys';

test('the key prefix is REDIS_KEY_PREFIX then TOPIC_PREFIX, so an isolated pipeline gets keys of its own', () => {
  expect(sinkKeyPrefix({ redis: { url: 'redis://x', username: undefined, password: undefined, keyPrefix: 'sf:' }, topicPrefix: '' })).toBe('sf:');
  expect(sinkKeyPrefix({ redis: { url: 'redis://x', username: undefined, password: undefined, keyPrefix: 'sf:' }, topicPrefix: 'staging.' })).toBe(
    'sf:staging.',
  );
});

test('key names', () => {
  const keys = redisKeys('sf:');
  expect(keys.order('o-1')).toBe('sf:order:o-1');
  expect(keys.customerOrders('c-1')).toBe('sf:customer:c-1:orders');
  expect(keys.fraudCounters('c-1')).toBe('sf:fraud:c-1');
  expect(keys.alerts('c-1')).toBe('sf:alerts:c-1');
  expect(keys.alertData('c-1')).toBe('sf:alerts:c-1:data');
  // what the Lua scripts rebuild an index key from
  expect(`${keys.customerOrdersPrefix}c-1${keys.customerOrdersSuffix}`).toBe(keys.customerOrders('c-1'));
});
