/**
 * Changelog values are encoded at commit, once per key. A value its store
 * codec refuses must still dead-letter the record that wrote it, and only
 * that record: the runtime rolls back and processes again record by record.
 */
import { topicOffsets } from '../../lib/kafka/topic-offsets';
import type { TaggedValue } from '../../lib/serde';
import type { RecordCodec } from '../../lib/streaming/codec';
import { DEAD_LETTER_HEADER } from '../../lib/streaming/dead-letter';
import type { ProcessorDefinition } from '../../processors/runtime/processor';
import { StreamApp } from '../../processors/runtime/stream-app';
import { logger, uniqueName } from './support/env';
import { createTestPipeline, readAll, waitFor, waitForCaughtUp, withAdmin, withProducer } from './support/pipeline';

jest.setTimeout(120_000);

/** Plain-text values: this test is about the runtime, not Avro. */
const textCodec: RecordCodec = {
  decode: async (_topic, bytes) => ({ type: 'Text', value: bytes.toString('utf8') }),
  encode: async (_topic, value) => Buffer.from(String(value.value)),
};

test('a changelog value that cannot be encoded dead-letters the record that wrote it; the rest commits', async () => {
  const pipeline = await createTestPipeline('encode-at-commit');
  const input = pipeline.topics.orderEvents;
  const changelog = pipeline.topics.pendingPayments;
  const definition: ProcessorDefinition<TaggedValue> = {
    name: uniqueName('encode-at-commit'),
    inputs: [input],
    outputs: [],
    tables: [],
    stores: [
      {
        kind: 'key-value',
        name: 'latest',
        changelogTopic: changelog,
        codec: {
          encode: (value: unknown) => {
            if (value === 'unencodable') throw new Error('this store cannot hold "unencodable"');
            return Buffer.from(String(value));
          },
          decode: (bytes) => bytes.toString('utf8'),
        },
      },
    ],
    process: (record, ctx) => ctx.keyValueStore<string>('latest').put(record.key ?? '', String(record.value?.value)),
  };
  await withProducer(pipeline.kafkaConfig, (producer) =>
    producer.send({
      messages: [
        ['a', 'one'],
        ['b', 'unencodable'],
        ['c', 'two'],
        ['a', 'three'],
      ].map(([key, value]) => ({ topic: input, key: Buffer.from(key!), value: Buffer.from(value!), partition: 0 })),
    }),
  );

  const app = new StreamApp({ kafka: pipeline.kafkaConfig, definition, codec: textCodec, logger });
  await app.start();
  try {
    // the topics are new: until the broker settles their leaders, their offsets cannot be listed
    await withAdmin(pipeline.kafkaConfig, (admin) =>
      waitFor(
        async () =>
          topicOffsets(admin, input).then(
            () => true,
            () => false,
          ),
        'the input offsets to be readable',
      ),
    );
    await waitForCaughtUp(pipeline, definition.name, [input]);
  } finally {
    await app.stop();
  }

  const written = (await readAll(pipeline, changelog)).map((m) => `${m.key?.toString()}=${m.value?.toString()}`);
  expect(written.sort()).toEqual(['a=three', 'c=two']);
  const dead = await readAll(pipeline, `${input}.dlq`);
  expect(dead.map((m) => m.value?.toString())).toEqual(['unencodable']);
  expect(dead[0]!.headers![DEAD_LETTER_HEADER.errorCode]!.toString()).toBe('output-encoding');
});
