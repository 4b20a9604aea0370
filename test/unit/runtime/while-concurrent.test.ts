import { whileConcurrent } from '../../../processors/runtime/while-concurrent';

const concurrent = () => Object.assign(new Error('concurrent operation on the same transaction'), { type: 'CONCURRENT_TRANSACTIONS' });

describe('whileConcurrent', () => {
  test('retries a step the coordinator refused as concurrent, until it succeeds', async () => {
    let calls = 0;
    const result = await whileConcurrent(
      async () => {
        calls += 1;
        if (calls < 3) throw concurrent();
        return 'added';
      },
      { delayMs: 1, attempts: 5 },
    );
    expect(result).toBe('added');
    expect(calls).toBe(3);
  });

  test('throws any other error at once', async () => {
    let calls = 0;
    const fenced = Object.assign(new Error('fenced'), { type: 'INVALID_PRODUCER_EPOCH' });
    await expect(
      whileConcurrent(
        async () => {
          calls += 1;
          throw fenced;
        },
        { delayMs: 1, attempts: 5 },
      ),
    ).rejects.toBe(fenced);
    expect(calls).toBe(1);
  });

  test('gives up after the last attempt with the last refusal', async () => {
    let calls = 0;
    await expect(
      whileConcurrent(
        async () => {
          calls += 1;
          throw concurrent();
        },
        { delayMs: 1, attempts: 4 },
      ),
    ).rejects.toMatchObject({ type: 'CONCURRENT_TRANSACTIONS' });
    expect(calls).toBe(4);
  });
});
