/**
 * scripts/verify on real services: generated orders (some events delivered
 * twice, one record undecodable) through the order aggregator into the Redis
 * and ClickHouse sinks; verify agrees with them on clean data, then names
 * the order and field of a mismatch planted in each store and exits 1.
 */
import type { OrderState } from '../../schemas/generated/types';
import { AggregateEvent, foldOrder } from '../../processors/order-aggregator/fold';
import { expectedOrderStateRow, Mismatch } from '../../scripts/ops/projection-check';
import { eventsByOrder } from '../fixtures/generated-stream';
import { createTestPipeline, produce } from './support/pipeline';
import { runScript, ScriptResult } from './support/run-script';
import {
  clickhouse,
  generatedOrders,
  projectionCaughtUp,
  ProjectionPipeline,
  redis,
  startProjection,
  toTopics,
} from './support/projection-pipeline';

const records = generatedOrders(61, 40);
const expected = new Map<string, OrderState>();
for (const [orderId, events] of eventsByOrder(records)) {
  const { state } = foldOrder(events as AggregateEvent[]);
  if (state) expected.set(orderId, state);
}
let projection: ProjectionPipeline;

beforeAll(async () => {
  projection = await startProjection('verify');
  const { pipeline } = projection;
  const [first] = records;
  await produce(pipeline, [
    ...toTopics(pipeline, records),
    // redelivered events and a record no one can decode: the log fold must skip them as the aggregator does
    ...toTopics(pipeline, records.slice(0, 30)),
    { topic: pipeline.topics.orderEvents, key: first!.key, value: Buffer.from('not an Avro record') },
  ]);
  await projectionCaughtUp(projection);
}, 240_000);

interface VerifyJson {
  readonly agree: boolean;
  readonly orders: number;
  readonly checked: number;
  readonly deadLettered: number;
  readonly statusCounts: Record<'log' | 'redis' | 'clickhouse', Record<string, number>>;
  readonly mismatchCount: number;
  readonly mismatches: Mismatch[];
}

async function verify(args: readonly string[] = []): Promise<{ run: ScriptResult; report: VerifyJson }> {
  const run = await runScript('verify', ['--json', ...args], projection.env);
  if (run.stdout === '') throw new Error(`scripts/verify printed nothing (exit ${run.code}): ${run.stderr}`);
  return { run, report: JSON.parse(run.stdout) as VerifyJson };
}

/** An order whose status is not `status`, and a different one each call. */
const picked = new Set<string>();
function pickOrder(): OrderState {
  const state = [...expected.values()].find((s) => !picked.has(s.orderId) && s.status !== 'CANCELLED');
  if (!state) throw new Error('the generated orders have too few orders to pick from');
  picked.add(state.orderId);
  return state;
}

test('passes on clean data: exit 0, every order compared, the same orders per status everywhere', async () => {
  const { run, report } = await verify();
  expect({ code: run.code, mismatches: report.mismatches }).toEqual({ code: 0, mismatches: [] });
  expect(report.agree).toBe(true);
  expect(report.orders).toBe(expected.size);
  expect(report.checked).toBe(expected.size);
  expect(report.deadLettered).toBe(1);
  const byStatus: Record<string, number> = {};
  for (const { status } of expected.values()) byStatus[status] = (byStatus[status] ?? 0) + 1;
  expect(report.statusCounts).toEqual({ log: byStatus, redis: byStatus, clickhouse: byStatus });

  const sampled = await verify(['--orders', '5']);
  expect(sampled.run.code).toBe(0);
  expect(sampled.report.checked).toBe(5);
});

test('a wrong status planted in Redis: exit 1, naming the order, the store and the field', async () => {
  const state = pickOrder();
  const key = `${projection.keyPrefix}order:${state.orderId}`;
  await redis.hset(key, 'status', 'CANCELLED');
  try {
    const { run, report } = await verify();
    expect(run.code).toBe(1);
    expect(report.agree).toBe(false);
    expect(report.mismatches).toContainEqual({ orderId: state.orderId, store: 'redis', field: 'status', expected: state.status, actual: 'CANCELLED' });
    expect(report.mismatches.filter((m) => m.orderId !== null && m.orderId !== state.orderId)).toEqual([]);

    const text = await runScript('verify', [], projection.env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`${state.orderId}\\s+redis\\s+status\\s+expected ${state.status}\\s+actual CANCELLED`));
    expect(text.stdout).toMatch(/FAILED: \d+ mismatch\(es\) over 1 order\(s\)/);
  } finally {
    await redis.hset(key, 'status', state.status);
  }
  expect((await verify()).run.code).toBe(0);
});

test('a wrong newer row planted in ClickHouse order_state: exit 1, naming the order, the store and the field', async () => {
  const state = pickOrder();
  const wrong: OrderState = { ...state, status: 'CANCELLED', version: state.version + 1 };
  await clickhouse.insert({ table: `${projection.database}.order_state`, values: [expectedOrderStateRow(wrong)], format: 'JSONEachRow' });

  const { run, report } = await verify();
  expect(run.code).toBe(1);
  expect(report.mismatches).toEqual(
    expect.arrayContaining([
      { orderId: state.orderId, store: 'clickhouse', field: 'status', expected: state.status, actual: 'CANCELLED' },
      { orderId: state.orderId, store: 'clickhouse', field: 'version', expected: String(state.version), actual: String(state.version + 1) },
    ]),
  );
  expect(report.mismatches.filter((m) => m.store === 'redis')).toEqual([]);
  expect(report.mismatches.filter((m) => m.orderId === null).map((m) => m.field)).toContain('orders with status CANCELLED');
});

test('a projection behind the log: a warning, or with --wait an exit 1 naming the group', async () => {
  // events no service has consumed: the aggregator's group never committed on this prefix
  const idle = await createTestPipeline('verify-idle');
  await produce(idle, toTopics(idle, records.slice(0, 5)));
  const env = { ...projection.env, TOPIC_PREFIX: idle.prefix };

  const waited = await runScript('verify', ['--wait', '1s'], env);
  expect(waited.code).toBe(1);
  expect(waited.stdout).toBe('');
  expect(waited.stderr).toMatch(new RegExp(`group ${idle.prefix}order-aggregator is 5 record\\(s\\) behind .*never committed.* after waiting 1s`));

  const warned = await runScript('verify', [], env);
  expect(warned.stderr).toContain(`warning: group ${idle.prefix}order-aggregator is 5 record(s) behind`);
  expect(warned.code).toBe(1); // the orders in flight are missing from the sinks
});
