/**
 * The sink engine batches naturally: with no linger, a record is written as
 * soon as a write slot is free; while the store holds the only slot, what
 * arrives waits and goes in the next write, all at once; and nothing is
 * committed before the store acknowledged it. Real Kafka; the writer is a
 * test writer whose writes the test releases by hand.
 */
import type { TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../lib/streaming/codec';
import type { PartitionOffset } from '../../sinks/runtime/pending-batch';
import { SinkEngine } from '../../sinks/runtime/sink-engine';
import { mergeSinkSettings } from '../../sinks/runtime/sink-settings';
import type { SinkRecord, SinkWriter, WriteResult } from '../../sinks/runtime/sink-writer';
import { logger, uniqueName } from './support/env';
import { createTestPipeline, produce, waitFor } from './support/pipeline';

jest.setTimeout(120_000);

/** Plain-text values: this test is about the engine, not Avro. */
const textCodec: RecordCodec = {
  decode: async (_topic, bytes) => ({ type: 'Text', value: bytes.toString('utf8') }),
  encode: async (_topic, value) => Buffer.from(String(value.value)),
};

/** Each write() waits until the test releases it. */
class HeldWriter implements SinkWriter<TaggedValue> {
  readonly name = 'held';
  readonly batches: string[][] = [];
  private releases: Array<() => void> = [];

  async start(): Promise<void> {}

  write(records: readonly SinkRecord<TaggedValue>[]): Promise<WriteResult> {
    this.batches.push(records.map((r) => String(r.value?.value)));
    return new Promise((resolve) => this.releases.push(() => resolve({ rejected: [] })));
  }

  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }

  held(): number {
    return this.releases.length;
  }

  async close(): Promise<void> {}
}

test('a lone record is written at once; what arrives during a write goes in the next one; commits follow the store', async () => {
  const pipeline = await createTestPipeline('sink-batching');
  // every record has the same key, so one partition: their order is the order of the writes
  const topic = pipeline.topics.fraudAlerts;
  const writer = new HeldWriter();
  const committed: PartitionOffset[][] = [];
  const engine = new SinkEngine<TaggedValue>({
    kafka: pipeline.kafkaConfig,
    name: uniqueName('sink-batching'),
    topics: [topic],
    topicPrefix: pipeline.prefix,
    codec: textCodec,
    writer,
    logger,
    settings: mergeSinkSettings({ batching: { maxRecords: 10_000, maxDelayMs: 0 } }),
    fetch: { maxBytesPerPartition: 1024 * 1024, maxBytes: 4 * 1024 * 1024, maxWaitTimeInMs: 50 },
    hooks: { committed: (offsets) => committed.push([...offsets]) },
  });
  await engine.start();
  try {
    await produce(pipeline, [{ topic, key: 'c-1', value: Buffer.from('first') }]);
    await waitFor(async () => writer.held() === 1, 'the first record written without a linger');
    expect(writer.batches).toEqual([['first']]);

    const later = Array.from({ length: 50 }, (_, i) => `later-${i}`);
    await produce(
      pipeline,
      later.map((value) => ({ topic, key: 'c-1', value: Buffer.from(value) })),
    );
    // the store still holds the only write slot: the 50 wait, and nothing is committed
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(writer.batches).toHaveLength(1);
    expect(committed).toEqual([]);

    writer.releaseAll();
    await waitFor(async () => writer.held() === 1, 'the records that arrived meanwhile written');
    expect(writer.batches).toEqual([['first'], later]);
    // the first write committed on its own, past the first record only
    await waitFor(async () => committed.length >= 1, 'the first commit');
    expect(committed[0]).toEqual([expect.objectContaining({ topic, offset: '1' })]);

    writer.releaseAll();
    await waitFor(async () => committed.some((offsets) => offsets.some((o) => o.offset === '51')), 'the second commit');
  } finally {
    writer.releaseAll();
    await engine.stop();
  }
});
