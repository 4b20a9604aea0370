import { Readable } from 'node:stream';
import { InFlightWindow } from '../../../producers/in-flight-window';
import { lineBatches } from '../../../producers/jsonl/line-batches';

async function collect(text: string, size: number) {
  const out = [];
  for await (const batch of lineBatches(Readable.from([text]), size)) out.push(batch.map((l) => `${l.number}:${l.text}`));
  return out;
}

describe('lineBatches', () => {
  it('numbers lines from 1 across batches, CRLF or LF, blank lines included', async () => {
    expect(await collect('a\r\nb\n\nc\nd', 2)).toEqual([['1:a', '2:b'], ['3:', '4:c'], ['5:d']]);
  });

  it('yields nothing for empty input', async () => {
    expect(await collect('', 10)).toEqual([]);
  });
});

describe('InFlightWindow', () => {
  it('waits while the window is full', async () => {
    const window = new InFlightWindow(2);
    const releases: Array<() => void> = [];
    const pending = () => new Promise<void>((resolve) => releases.push(resolve));
    await window.add(pending()); // 1 of 2: returns at once
    let added = false;
    const second = window.add(pending()).then(() => (added = true)); // 2 of 2: waits for a free slot
    await new Promise((resolve) => setImmediate(resolve));
    expect(added).toBe(false);
    releases[0]!();
    await second;
    expect(window.size).toBe(1);
    releases[1]!();
    await window.drain();
    expect(window.size).toBe(0);
  });

  it('throws the first failure from the next add and from drain', async () => {
    const window = new InFlightWindow(4);
    await window.add(Promise.reject(new Error('boom')));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(window.add(Promise.resolve())).rejects.toThrow('boom');
    await expect(window.drain()).rejects.toThrow('boom');
  });

  it('refuses a limit below one', () => {
    expect(() => new InFlightWindow(0)).toThrow(/in-flight limit must be an integer ≥ 1/);
  });
});
