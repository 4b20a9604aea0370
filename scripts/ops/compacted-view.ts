/**
 * A compacted topic read from its start to its end, one record at a time:
 * the last value of a key wins and a tombstone (null) removes the key, which
 * is all compaction keeps of it. Pure.
 */
export function applyToView<T>(view: Map<string, T>, key: string, value: T | null): void {
  if (value === null) view.delete(key);
  else view.set(key, value);
}
