/** Bounds a promise in time: a store call that hangs must not hang the sink. */

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Rejects with TimeoutError after `ms`; the original promise is abandoned (its outcome ignored), not cancelled. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} did not complete within ${ms} ms`)), ms);
  });
  // an abandoned promise that rejects later must not become an unhandled rejection
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
