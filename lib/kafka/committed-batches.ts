/**
 * read_committed filtering of one fetched partition, the way the Java
 * consumer does it: the broker returns data up to the last stable offset
 * and lists the aborted transactions overlapping it (producer id, first
 * offset); a transactional batch is dropped while its producer has an
 * aborted transaction open at that point, until that producer's ABORT
 * marker. A producer may have several aborted transactions in one response,
 * interleaved with its committed ones and with other producers'.
 */
import { IS_CONTROL, IS_TRANSACTIONAL, type RecordsBatch } from '@platformatic/kafka';

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** A control record's key: version (int16) then type (int16), 0 = ABORT, 1 = COMMIT. */
function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

/** The batches that hold committed (or non-transactional) records, control batches left out, in order. */
export function committedBatches(batches: readonly RecordsBatch[], aborted: readonly AbortedTransaction[] | null): RecordsBatch[] {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const open = new Set<bigint>();
  let next = 0;
  const kept: RecordsBatch[] = [];
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    // every aborted transaction that started at or before this batch is open for its producer
    while (next < pending.length && pending[next]!.firstOffset <= lastOffset) open.add(pending[next++]!.producerId);
    if (batch.attributes & IS_CONTROL) {
      if (isAbortMarker(batch)) open.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & IS_TRANSACTIONAL && open.has(batch.producerId)) continue;
    kept.push(batch);
  }
  return kept;
}
