/**
 * The ClickHouse SinkWriter, the adapter the sink engine calls, on the
 * project's ClickHouse server: start() migrates a fresh database, write()
 * stores a batch and hands back what can never be stored, a store that
 * does not answer makes write() throw (the engine retries), health says so.
 * Kafka is not involved: records are built as the engine would pass them.
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Registry } from 'prom-client';
import { createClickHouse } from '../../lib/clients/clickhouse';
import type { TaggedValue } from '../../lib/serde';
import { TOPIC } from '../../lib/topics';
import type { SinkRecord } from '../../sinks/runtime/sink-writer';
import { ClickHouseSinkWriter } from '../../sinks/clickhouse/clickhouse-writer';
import { ordersByStatus, runQuery } from '../../sinks/clickhouse/queries';
import type { ClickHouseSinkValue, ConsumedRecord } from '../../sinks/clickhouse/rows';
import { CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL, buildClickHouseDataset } from '../fixtures/clickhouse-dataset';
import { expectedOrdersByStatus } from '../fixtures/clickhouse-expected';
import { config, logger, uniqueName } from './support/env';

const database = uniqueName('chwriter').replace(/-/g, '_');
const admin = createClickHouse(config.clickhouse, 'default');
const dataset = buildClickHouseDataset(CLICKHOUSE_DATASET_OPTIONS, CLICKHOUSE_DATASET_UNTIL);

/** A record as the sink engine hands it to write(). */
function engineRecord(record: ConsumedRecord): SinkRecord<ClickHouseSinkValue> {
  return {
    topic: `prefix.${record.topic}`,
    catalogTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: null,
    value: record.value as ClickHouseSinkValue | null,
    timestamp: 0,
    headers: {},
    source: { topic: `prefix.${record.topic}`, partition: record.partition, offset: record.offset, key: null, value: null, headers: {} },
  };
}

const context = () => ({ sinkName: 'clickhouse-sink', logger, registry: new Registry() });

afterAll(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
});

test('start() migrates a fresh database; write() stores batches, and a replay changes nothing', async () => {
  const writer = new ClickHouseSinkWriter({ clickhouse: config.clickhouse, database });
  await writer.start(context());
  try {
    const records = dataset.records.map(engineRecord);
    for (let i = 0; i < records.length; i += 5000) expect((await writer.write(records.slice(i, i + 5000))).rejected).toEqual([]);
    expect(writer.health()).toMatchObject({ ready: true });
    const once = await runQuery(admin, ordersByStatus(database));
    expect(once).toEqual(expectedOrdersByStatus(dataset));
    expect((await writer.write(records)).rejected).toEqual([]);
    expect(await runQuery(admin, ordersByStatus(database))).toEqual(once);
  } finally {
    await writer.close();
  }
});

test('records that can never be stored come back as rejections, by identity, with a code and a message', async () => {
  const writer = new ClickHouseSinkWriter({ clickhouse: config.clickhouse, database });
  await writer.start(context());
  try {
    const good = engineRecord(dataset.records[0]!);
    const profile: TaggedValue = { type: 'CustomerProfile', value: {} };
    const wrongTopic = { ...engineRecord({ topic: TOPIC.customers, partition: 1, offset: '5', value: profile }) };
    const result = await writer.write([good, wrongTopic]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.record).toBe(wrongTopic);
    expect(result.rejected[0]).toMatchObject({
      code: 'clickhouse:bad-row',
      message: expect.stringMatching(/record type CustomerProfile has no ClickHouse table/),
    });
  } finally {
    await writer.close();
  }
});

test('a store that does not answer makes write() throw (the engine retries) and health report it', async () => {
  const down = createClient({ url: 'http://127.0.0.1:9', request_timeout: 2000, log: { level: ClickHouseLogLevel.OFF } });
  const writer = new ClickHouseSinkWriter({ clickhouse: config.clickhouse, database, migrate: false, client: down });
  await writer.start(context());
  try {
    await expect(writer.write(dataset.records.slice(0, 20).map(engineRecord))).rejects.toMatchObject({ kind: 'unavailable', retryable: true });
    expect(writer.health()).toMatchObject({ ready: false, detail: { database, lastError: expect.stringMatching(/ClickHouse unavailable/) } });
  } finally {
    await writer.close();
    await down.close();
  }
});
