/**
 * Every key under a prefix: listed with SCAN (never KEYS, which blocks the
 * server) and deleted with UNLINK (freed in the background), in slices, so
 * clearing a large projection neither blocks Redis nor holds every key in memory.
 */
import type Redis from 'ioredis';

const SCAN_COUNT = 1000;

function globEscape(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, '\\$&');
}

/** The keys under `prefix`, a SCAN page at a time (a key may repeat across pages, as SCAN allows). */
export async function* scanKeys(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** Deletes every key under `prefix`; returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string, onProgress?: (deleted: number) => void): Promise<number> {
  if (prefix === '') throw new Error('refusing to delete every key in Redis: the key prefix is empty (set REDIS_KEY_PREFIX)');
  let deleted = 0;
  for await (const keys of scanKeys(redis, prefix)) {
    deleted += await redis.unlink(...keys);
    onProgress?.(deleted);
  }
  return deleted;
}
