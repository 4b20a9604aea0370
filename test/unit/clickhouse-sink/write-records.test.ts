import type { ClickHouseClient } from '@clickhouse/client';
import { TOPIC } from '../../../lib/topics';
import { ClickHouseWriteError } from '../../../sinks/clickhouse/insert-errors';
import type { ConsumedRecord } from '../../../sinks/clickhouse/rows';
import { writeRecords } from '../../../sinks/clickhouse/write-records';
import { SAMPLE_RECORDS, sampleEnvelope } from '../../fixtures/sample-records';

interface Insert {
  readonly table: string;
  readonly values: ReadonlyArray<Record<string, unknown>>;
}

/** Just enough of a ClickHouseClient: records inserts, and refuses any insert holding a row `refuse` picks. */
function fakeClient(refuse: (row: Record<string, unknown>) => boolean, failure?: Error) {
  const inserts: Insert[] = [];
  const client = {
    insert: async (params: { table: string; values: ReadonlyArray<Record<string, unknown>> }) => {
      if (failure !== undefined) throw failure;
      if (params.values.some(refuse)) throw new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse input, e.what() = DB::Exception');
      inserts.push({ table: params.table, values: params.values });
      return { executed: true, query_id: 'q' };
    },
  };
  return { client: client as unknown as ClickHouseClient, inserts };
}

function confirmed(i: number, producer = 'checkout-api'): ConsumedRecord {
  return {
    topic: TOPIC.orderEvents,
    partition: 0,
    offset: String(i),
    value: { type: 'OrderConfirmed', value: { envelope: sampleEnvelope({ eventId: `e-${i}`, aggregateId: `o-${i}`, producer }) } },
  };
}

describe('writeRecords', () => {
  test('one insert per table for a good batch', async () => {
    const { client, inserts } = fakeClient(() => false);
    const records: ConsumedRecord[] = [
      confirmed(1),
      { topic: TOPIC.paymentEvents, partition: 0, offset: '5', value: { type: 'PaymentCaptured', value: SAMPLE_RECORDS.PaymentCaptured } },
      { topic: TOPIC.orderState, partition: 0, offset: '6', value: { type: 'OrderState', value: SAMPLE_RECORDS.OrderState } },
      { topic: TOPIC.orderState, partition: 0, offset: '7', value: null },
    ];
    const result = await writeRecords(client, 'db', records);
    expect(result).toEqual({ written: 4, rows: 4, rejected: [] });
    expect(inserts.map((i) => [i.table, i.values.length])).toEqual([
      ['db.events', 2],
      ['db.payments', 1],
      ['db.order_state', 1],
    ]);
  });

  test('a record that does not fit its columns is rejected before anything is sent', async () => {
    const { client, inserts } = fakeClient(() => false);
    const bad: ConsumedRecord = { ...confirmed(2), value: { type: 'OrderConfirmed', value: { envelope: sampleEnvelope({ occurredAt: new Date(-1) }) } } };
    const result = await writeRecords(client, 'db', [confirmed(1), bad, confirmed(3)]);
    expect(result.written).toBe(2);
    expect(result.rejected.map((r) => r.record)).toEqual([bad]);
    expect(result.rejected[0]!.error.message).toMatch(/orders\.events\[0\]@2 occurredAt .* outside ClickHouse DateTime's range/);
    expect(inserts).toHaveLength(1);
  });

  test('values the server refuses are pinned to their records by halving the batch', async () => {
    const { client, inserts } = fakeClient((row) => row['producer'] === 'poison');
    const records = Array.from({ length: 10 }, (_, i) => confirmed(i, i === 3 || i === 8 ? 'poison' : 'checkout-api'));
    const result = await writeRecords(client, 'db', records);
    expect(result.rejected.map((r) => r.record.offset)).toEqual(['3', '8']);
    expect(result.rejected[0]!.error).toBeInstanceOf(ClickHouseWriteError);
    expect(result.written).toBe(8);
    // every good record made it in (some more than once: harmless, the tables are replay-safe)
    const written = new Set(inserts.flatMap((i) => i.values.map((v) => v['event_id'])));
    expect(written).toEqual(new Set(['e-0', 'e-1', 'e-2', 'e-4', 'e-5', 'e-6', 'e-7', 'e-9']));
  });

  test('an unavailable store throws a retryable error and rejects nothing', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:18123'), { code: 'ECONNREFUSED' });
    const { client } = fakeClient(() => false, refused);
    const attempt = writeRecords(client, 'db', [confirmed(1), confirmed(2)]);
    await expect(attempt).rejects.toBeInstanceOf(ClickHouseWriteError);
    await expect(attempt).rejects.toMatchObject({ kind: 'unavailable', retryable: true, table: 'db.events' });
  });

  test('missing tables are not bad data: thrown, not dead-lettered', async () => {
    const missing = new Error("Code: 60, e.displayText() = DB::Exception: Table db.events doesn't exist., e.what() = DB::Exception");
    const { client } = fakeClient(() => false, missing);
    await expect(writeRecords(client, 'db', [confirmed(1)])).rejects.toMatchObject({ kind: 'misconfigured', retryable: true });
  });
});
