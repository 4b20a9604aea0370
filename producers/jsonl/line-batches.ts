/**
 * Reads a JSON-lines stream and groups its lines into batches with their
 * 1-based line numbers, so the CLI publishes many lines per call and still
 * reports problems by line.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface NumberedLine {
  readonly number: number;
  readonly text: string;
}

export async function* lineBatches(input: Readable, batchSize: number, signal?: AbortSignal): AsyncGenerator<NumberedLine[]> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const stop = () => lines.close();
  signal?.addEventListener('abort', stop, { once: true });
  let number = 0;
  let batch: NumberedLine[] = [];
  try {
    for await (const text of lines) {
      number += 1;
      batch.push({ number, text });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
      if (signal?.aborted) break;
    }
    if (batch.length > 0) yield batch;
  } finally {
    signal?.removeEventListener('abort', stop);
    lines.close();
  }
}
