import { requestChunks } from '../../../processors/runtime/request-chunks';

describe('request chunks', () => {
  const message = (bytes: number) => ({ key: 'k', value: Buffer.alloc(bytes) });

  test('splits a transaction into requests under the size bound, keeping the order of every topic', () => {
    const chunks = requestChunks(
      [
        { topic: 'a', messages: [message(400), message(400)] },
        { topic: 'b', messages: [message(400)] },
      ],
      1000,
    );
    expect(chunks.map((chunk) => chunk.map(({ topic, messages }) => `${topic}:${messages.length}`))).toEqual([['a:2'], ['b:1']]);
  });

  test('a message larger than the bound goes alone; nothing is dropped', () => {
    const chunks = requestChunks([{ topic: 'a', messages: [message(10), message(5000), message(10)] }], 1000);
    expect(chunks.map((chunk) => chunk[0]!.messages.length)).toEqual([1, 1, 1]);
  });
});
