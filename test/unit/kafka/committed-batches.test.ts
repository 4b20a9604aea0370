/** read_committed filtering of one fetched partition (lib/kafka/committed-batches.ts). No services: batches built here. */
import { IS_CONTROL, IS_TRANSACTIONAL, type RecordsBatch } from '@platformatic/kafka';
import { committedBatches } from '../../../lib/kafka/committed-batches';

function batch(producerId: number, firstOffset: number, count: number, kind: 'data' | 'txn' | 'abort' | 'commit'): RecordsBatch {
  const control = kind === 'abort' || kind === 'commit';
  const key = Buffer.alloc(4);
  key.writeInt16BE(kind === 'commit' ? 1 : 0, 2);
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: count - 1,
    producerId: BigInt(producerId),
    attributes: (kind === 'data' ? 0 : IS_TRANSACTIONAL) | (control ? IS_CONTROL : 0),
    records: Array.from({ length: count }, (_, i) => ({
      length: 0,
      attributes: 0,
      timestampDelta: 0n,
      offsetDelta: i,
      key: control ? key : null,
      value: null,
      headers: [],
    })),
  } as unknown as RecordsBatch;
}

const offsets = (batches: RecordsBatch[]) => batches.map((b) => Number(b.firstOffset));

test('one producer aborting twice with a commit between: both aborted transactions are dropped, the committed one kept', () => {
  const batches = [
    batch(7, 0, 2, 'txn'),
    batch(7, 2, 1, 'abort'),
    batch(7, 3, 2, 'txn'),
    batch(7, 5, 1, 'commit'),
    batch(7, 6, 2, 'txn'),
    batch(7, 8, 1, 'abort'),
  ];
  expect(
    offsets(
      committedBatches(batches, [
        { producerId: 7n, firstOffset: 6n },
        { producerId: 7n, firstOffset: 0n },
      ]),
    ),
  ).toEqual([3]);
});

test('interleaved producers aborted in another order than they began; plain records always kept', () => {
  const batches = [
    batch(1, 0, 1, 'txn'),
    batch(2, 1, 1, 'txn'),
    batch(9, 2, 1, 'data'),
    batch(1, 3, 1, 'txn'),
    batch(2, 4, 1, 'abort'),
    batch(1, 5, 1, 'abort'),
    batch(3, 6, 1, 'txn'),
    batch(3, 7, 1, 'commit'),
  ];
  expect(
    offsets(
      committedBatches(batches, [
        { producerId: 2n, firstOffset: 1n },
        { producerId: 1n, firstOffset: 0n },
      ]),
    ),
  ).toEqual([2, 6]);
});

test('a response cut before the abort marker drops the aborted records it holds', () => {
  const batches = [batch(4, 10, 3, 'txn'), batch(4, 13, 3, 'txn')];
  expect(committedBatches(batches, [{ producerId: 4n, firstOffset: 10n }])).toEqual([]);
});

test('a read that starts inside an aborted transaction drops its rest', () => {
  const batches = [batch(4, 12, 2, 'txn'), batch(4, 14, 1, 'abort'), batch(5, 15, 1, 'txn')];
  expect(offsets(committedBatches(batches, [{ producerId: 4n, firstOffset: 10n }]))).toEqual([15]);
});

test('no aborted transactions: every data batch kept, markers left out', () => {
  expect(offsets(committedBatches([batch(1, 0, 2, 'txn'), batch(1, 2, 1, 'commit'), batch(9, 3, 1, 'data')], null))).toEqual([0, 3]);
});
