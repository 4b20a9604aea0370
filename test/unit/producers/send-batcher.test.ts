import type { OutgoingRecord } from '../../../lib/kafka/clients';
import { BatcherClosedError, BatcherFailedError, OutgoingMessage, SendBatcher, SentBatch } from '../../../producers/send-batcher';

/** A fake send (no Kafka client) whose requests the test acknowledges or fails by hand, recording what each carried. */
function controlledSend() {
  const requests: Array<{ messages: OutgoingRecord[]; ack: () => void; fail: (err: Error) => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (messages: OutgoingRecord[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => (inFlight -= 1);
      requests.push({ messages, ack: () => (done(), resolve()), fail: (err) => (done(), reject(err)) });
    });
  return { send, requests, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function messages(topic: string, from: number, count: number, size = 10): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({ message: { topic, key: Buffer.from(`k${from + i}`), value: Buffer.from(`v${from + i}`) }, size }));
}

const keys = (messages: OutgoingRecord[]) => messages.map((m) => `${m.topic}:${String(m.key)}`);

describe('SendBatcher', () => {
  it('cuts a batch at maxBatchMessages and resolves a call only when all its batches are acknowledged', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 3, lingerMs: 30 });
    let done = false;
    const call = batcher.add(messages('t', 0, 5)).then(() => (done = true));
    await tick();
    expect(requests).toHaveLength(1); // the first 3; the other 2 wait
    expect(keys(requests[0]!.messages)).toEqual(['t:k0', 't:k1', 't:k2']);
    requests[0]!.ack();
    await tick();
    expect(done).toBe(false);
    // the remainder is not full: it goes when its linger is over, like Kafka's linger.ms
    expect(requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toHaveLength(2);
    expect(keys(requests[1]!.messages)).toEqual(['t:k3', 't:k4']);
    requests[1]!.ack();
    await call;
    expect(done).toBe(true);
  });

  it('sends the next full batch as soon as the one in flight is acknowledged', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 2, lingerMs: 60_000 });
    const call = batcher.add(messages('t', 0, 4));
    await tick();
    expect(requests).toHaveLength(1);
    requests[0]!.ack();
    await tick();
    expect(requests).toHaveLength(2);
    requests[1]!.ack();
    await call;
  });

  it('sends a partial batch after lingerMs', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 100, lingerMs: 20 });
    void batcher.add(messages('t', 0, 2));
    await tick();
    expect(requests).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(requests).toHaveLength(1);
    requests[0]!.ack();
  });

  it('cuts at maxBatchBytes', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 100, maxBatchBytes: 25, lingerMs: 1000 });
    void batcher.add(messages('t', 0, 3, 10));
    await tick();
    expect(keys(requests[0]!.messages)).toEqual(['t:k0', 't:k1', 't:k2']); // 30 bytes ≥ 25
    requests[0]!.ack();
  });

  it('keeps one request in flight and accumulates the calls made meanwhile into the next, in order, grouped by topic', async () => {
    const { send, requests, maxInFlight } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 100, lingerMs: 0 });
    const first = batcher.add(messages('a', 0, 1));
    await tick();
    const second = batcher.add([...messages('a', 1, 1), ...messages('b', 0, 1)]);
    const third = batcher.add(messages('a', 2, 1));
    await tick();
    expect(requests).toHaveLength(1);
    requests[0]!.ack();
    await first;
    await tick();
    expect(requests).toHaveLength(2);
    expect(keys(requests[1]!.messages)).toEqual(['a:k1', 'a:k2', 'b:k0']);
    requests[1]!.ack();
    await Promise.all([second, third]);
    expect(maxInFlight()).toBe(1);
  });

  it('reports each acknowledged batch', async () => {
    const { send, requests } = controlledSend();
    const sent: SentBatch[] = [];
    const batcher = new SendBatcher(send, { lingerMs: 0 }, (batch) => sent.push(batch));
    const call = batcher.add([...messages('a', 0, 2, 5), ...messages('b', 0, 1, 7)]);
    await tick();
    requests[0]!.ack();
    await call;
    expect(sent).toEqual([
      {
        messages: 3,
        bytes: 17,
        byTopic: new Map([
          ['a', 2],
          ['b', 1],
        ]),
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('flush sends what lingers and waits for it; close refuses new messages', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { lingerMs: 60_000 });
    const call = batcher.add(messages('t', 0, 2));
    const flushed = batcher.flush();
    await tick();
    expect(requests).toHaveLength(1);
    expect(batcher.buffered).toBe(2);
    requests[0]!.ack();
    await flushed;
    await call;
    expect(batcher.buffered).toBe(0);
    await batcher.close();
    await expect(batcher.add(messages('t', 9, 1))).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('after a failed send, rejects that batch, everything queued after it, and every later call', async () => {
    const { send, requests } = controlledSend();
    const batcher = new SendBatcher(send, { maxBatchMessages: 2, lingerMs: 1000 });
    const first = batcher.add(messages('t', 0, 2));
    const second = batcher.add(messages('t', 2, 3));
    await tick();
    requests[0]!.fail(new Error('broker on fire'));
    await expect(first).rejects.toThrow(/sending to Kafka failed: broker on fire\. The events of that batch and of every batch after it were not published/);
    await expect(second).rejects.toBeInstanceOf(BatcherFailedError);
    await expect(batcher.add(messages('t', 9, 1))).rejects.toThrow(/refuses new ones so that no aggregate's events are reordered/);
    await expect(batcher.flush()).rejects.toBeInstanceOf(BatcherFailedError);
    expect(requests).toHaveLength(1);
  });

  it('resolves an empty call at once and checks its settings', async () => {
    const batcher = new SendBatcher(async () => undefined);
    await expect(batcher.add([])).resolves.toBeUndefined();
    expect(() => new SendBatcher(async () => undefined, { maxBatchMessages: 0 })).toThrow(/maxBatchMessages must be an integer ≥ 1/);
    expect(() => new SendBatcher(async () => undefined, { lingerMs: -1 })).toThrow(/lingerMs must be a number ≥ 0/);
  });
});
