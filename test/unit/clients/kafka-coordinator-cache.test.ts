import { CoordinatorCache, keepsCoordinator } from '../../../lib/clients/kafka-coordinator-cache';

describe('coordinator cache', () => {
  test('keeps a coordinator until it is forgotten or expires', () => {
    const cache = new CoordinatorCache(1_000);
    expect(cache.get('1:tx-a', 0)).toBeUndefined();
    cache.set('1:tx-a', 3, 0);
    expect(cache.get('1:tx-a', 999)).toBe(3);
    expect(cache.get('1:tx-b', 999)).toBeUndefined();
    expect(cache.get('1:tx-a', 1_000)).toBeUndefined();
    cache.set('1:tx-a', 4, 2_000);
    cache.forget('1:tx-a');
    expect(cache.get('1:tx-a', 2_001)).toBeUndefined();
  });

  test('only CONCURRENT_TRANSACTIONS leaves the coordinator trusted', () => {
    expect(keepsCoordinator({ type: 'CONCURRENT_TRANSACTIONS' })).toBe(true);
    expect(keepsCoordinator({ type: 'NOT_COORDINATOR_FOR_GROUP' })).toBe(false);
    expect(keepsCoordinator(new Error('Connection closed'))).toBe(false);
    expect(keepsCoordinator(undefined)).toBe(false);
  });
});
