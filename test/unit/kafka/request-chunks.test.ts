/** Produce requests of a bounded size for one transaction. No services. */
import { requestChunks } from '../../../lib/kafka/request-chunks';

describe('request chunks', () => {
  const record = (topic: string, bytes: number) => ({ topic, key: Buffer.from('k'), value: Buffer.alloc(bytes) });

  test('splits a transaction into requests under the size bound, keeping the order of the records', () => {
    const records = [record('a', 400), record('a', 400), record('b', 400)];
    const chunks = requestChunks(records, 1000);
    expect(chunks.map((chunk) => chunk.map((r) => r.topic))).toEqual([['a', 'a'], ['b']]);
    expect(chunks.flat()).toEqual(records);
  });

  test('a record larger than the bound goes alone; nothing is dropped', () => {
    const chunks = requestChunks([record('a', 10), record('a', 5000), record('a', 10)], 1000);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });
});
