import type { DeadLetterSource } from '../../../lib/streaming/dead-letter';
import { PendingBatch } from '../../../sinks/runtime/pending-batch';
import type { SinkRecord } from '../../../sinks/runtime/sink-writer';

function record(topic: string, partition: number, offset: number): SinkRecord {
  const source: DeadLetterSource = { topic, partition, offset: String(offset), key: null, value: Buffer.from('x'), headers: {} };
  return { topic, catalogTopic: topic, partition, offset: String(offset), key: 'k', value: { type: 'T', value: {} }, timestamp: 0, headers: {}, source };
}

test('commit positions are the offset after the last record taken per partition, never moving back', () => {
  const batch = new PendingBatch();
  batch.addRecord(record('a', 0, 10), 1000);
  batch.advance('a', 0, '11', 1000);
  batch.addRecord(record('a', 1, 3), 1001);
  batch.advance('a', 1, '4', 1001);
  // the last record of a fetch resolves past the transaction marker after it
  batch.addRecord(record('a', 0, 11), 1002);
  batch.advance('a', 0, '13', 1002);
  batch.advance('a', 1, '2');
  expect(batch.commitOffsets()).toEqual([
    { topic: 'a', partition: 0, offset: '13' },
    { topic: 'a', partition: 1, offset: '4' },
  ]);
  expect(batch.commitOffsets((_topic, partition) => partition === 1)).toEqual([{ topic: 'a', partition: 1, offset: '4' }]);
  expect(batch.size()).toBe(3);
  expect(batch.ageMs(1500)).toBe(500);
});

test('a batch of transaction markers only has nothing to write but a position to commit', () => {
  const batch = new PendingBatch();
  expect(batch.isEmpty()).toBe(true);
  batch.advance('a', 2, '7');
  expect(batch.isEmpty()).toBe(false);
  expect(batch.size()).toBe(0);
  expect(batch.commitOffsets()).toEqual([{ topic: 'a', partition: 2, offset: '7' }]);
});

test('rejections become dead letters and are not counted as written', () => {
  const batch = new PendingBatch();
  const good = record('a', 0, 1);
  const bad = record('a', 0, 2);
  batch.addRecord(good);
  batch.addRecord(bad);
  batch.addRejections([{ record: bad, code: 'KEY_MISMATCH', message: 'wrong key' }]);
  expect(batch.deadLetters).toEqual([{ source: bad.source, code: 'KEY_MISMATCH', message: 'wrong key' }]);
  expect(batch.writtenByTopic()).toEqual(new Map([['a', 1]]));
});

test('a rejection of a record the batch does not hold is a writer bug, said so', () => {
  const batch = new PendingBatch();
  batch.addRecord(record('a', 0, 1));
  expect(() => batch.addRejections([{ record: record('a', 0, 1), code: 'X', message: 'x' }])).toThrow(/very record objects passed to write\(\)/);
});

test('nothing is added to a batch once written', () => {
  const batch = new PendingBatch();
  batch.written = true;
  expect(() => batch.addRecord(record('a', 0, 1))).toThrow(/after the batch was written/);
});
