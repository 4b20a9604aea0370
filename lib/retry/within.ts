/** Bounds a step that may never settle (a client request to a broker that hangs). */

export class StepTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** The step's result, or StepTimeoutError after `ms` (the step goes on unobserved). */
export async function within<T>(ms: number, what: string, step: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const running = step();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new StepTimeoutError(what, ms)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
