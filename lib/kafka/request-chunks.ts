/**
 * Splits what one transaction sends into produce requests of a bounded size:
 * neither client splits a partition's records by size, and a whole commit in
 * one record batch can exceed the broker's message.max.bytes (1 MiB by
 * default), which bounds one partition's batch.
 */

/** Well under the broker's default message.max.bytes. */
const MAX_REQUEST_BYTES = 512 * 1024;

interface Sized {
  readonly key?: Buffer | null | undefined;
  readonly value?: Buffer | null | undefined;
}

function recordSize(record: Sized): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64;
}

/** The records in order, in chunks of at most `maxBytes` (a larger single record goes alone). */
export function requestChunks<T extends Sized>(records: readonly T[], maxBytes = MAX_REQUEST_BYTES): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = recordSize(record);
    if (size + bytes > maxBytes && chunk.length > 0) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(record);
    size += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
