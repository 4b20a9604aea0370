import { retryUntilDone, RetryStoppedError } from '../../../lib/retry/retry-until-done';

const policy = { initialMs: 1, maxMs: 4, multiplier: 2, jitter: 0 };

test('retries until the step succeeds, reporting each wait with its attempt and delay', async () => {
  const waits: Array<[number, number]> = [];
  let calls = 0;
  const result = await retryUntilDone(
    async () => {
      calls += 1;
      if (calls < 4) throw new Error(`down ${calls}`);
      return 'up';
    },
    { policy, isFatal: () => false, onRetry: ({ attempt, delayMs }) => void waits.push([attempt, delayMs]) },
  );
  expect(result).toBe('up');
  expect(waits).toEqual([
    [1, 1],
    [2, 2],
    [3, 4],
  ]);
});

test('a fatal error is thrown at once, without a retry', async () => {
  let calls = 0;
  const fatal = new Error('not authorized');
  await expect(
    retryUntilDone(
      async () => {
        calls += 1;
        throw fatal;
      },
      { policy, isFatal: (error) => error === fatal },
    ),
  ).rejects.toBe(fatal);
  expect(calls).toBe(1);
});

test('a stop ends the retries with the last error as the cause', async () => {
  let stopped = false;
  const attempt = retryUntilDone(
    async () => {
      stopped = true;
      throw new Error('still down');
    },
    { policy, isFatal: () => false, stopped: () => stopped },
  );
  await expect(attempt).rejects.toBeInstanceOf(RetryStoppedError);
  await expect(attempt).rejects.toThrow('still down');
});
