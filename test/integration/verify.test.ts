/**
 * scripts/verify on real services: generated orders (some events delivered
 * twice, one record undecodable) through the order aggregator into the Redis
 * and ClickHouse sinks, and fraud counters and alerts shaped like the fraud
 * detector's produced straight to its output topics (more alerts per
 * customer than Redis keeps, some delivered twice, out of order; a counters
 * tombstone; an undecodable counters record). Verify agrees with them on
 * clean data, then names the subject and field of a mismatch planted in
 * each store and exits 1.
 */
import type { FraudAlert, FraudCounters, OrderState } from '../../schemas/generated/types';
import { AggregateEvent, foldOrder } from '../../lib/domain/orders/fold';
import type { FraudMismatch } from '../../scripts/ops/fraud-check';
import { expectedFraudAlertRow } from '../../scripts/ops/fraud-check';
import { expectedOrderStateRow, Mismatch } from '../../scripts/ops/projection-check';
import { fraudRecords, latestByKey } from '../../sinks/bench/derived-records';
import { alertEntry, DEFAULT_RECENT_ALERTS } from '../../sinks/redis/alert-entry';
import { countersHashFields, RULE_FIELD_PREFIX } from '../../sinks/redis/counters-hash';
import { redisKeys } from '../../sinks/redis/keys';
import { eventsByOrder } from '../fixtures/generated-stream';
import { createTestPipeline, produce } from './support/pipeline';
import { sinkRecords } from './support/sink-fixtures';
import { runScript, ScriptResult } from './support/run-script';
import { clickhouse, generatedOrders, projectionCaughtUp, ProjectionPipeline, redis, startProjection, toTopics } from './support/projection-pipeline';

const records = generatedOrders(61, 40);
const expected = new Map<string, OrderState>();
for (const [orderId, events] of eventsByOrder(records)) {
  const { state } = foldOrder(events as AggregateEvent[]);
  if (state) expected.set(orderId, state);
}

// 22 alerts per customer: more than the Redis sink keeps
const fraud = fraudRecords({ seed: 61, customers: 4, versions: 66 });
const [firstCounters] = fraud.counters;
const tombstoned = fraud.counters.at(-1)!.key;
const expectedCounters: Map<string, FraudCounters> = latestByKey(fraud.counters);
expectedCounters.delete(tombstoned);
const redelivered = fraud.alerts.slice(0, 5);
// records keyed by another customer than the one they are about: the Redis sink refuses them, ClickHouse keeps the alert
const otherCustomer = [...expectedCounters.keys()].find((key) => key !== firstCounters!.key)!;
const counterKeyedElsewhere = { key: otherCustomer, value: firstCounters!.value };
const alertKeyedElsewhere = {
  key: otherCustomer,
  value: { ...fraud.alerts.find((a) => a.key === firstCounters!.key)!.value, alertId: 'alert-keyed-elsewhere' },
};
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
    // alerts out of order and some twice: Redis keeps the newest by detectedAt whatever the order, ClickHouse each once
    ...sinkRecords(pipeline, { counters: fraud.counters, alerts: [...fraud.alerts].reverse() }),
    ...sinkRecords(pipeline, { alerts: redelivered }),
    { topic: pipeline.topics.fraudCounters, key: tombstoned, value: null },
    // the Redis sink dead-letters it and keeps the customer's counters: so must verify
    { topic: pipeline.topics.fraudCounters, key: firstCounters!.key, value: Buffer.from('not an Avro record') },
    ...sinkRecords(pipeline, { counters: [counterKeyedElsewhere], alerts: [alertKeyedElsewhere] }),
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
  readonly fraudCounters: { records: number; skipped: number; customers: number; checked: number; mismatchCount: number; mismatches: FraudMismatch[] };
  readonly fraudAlerts: {
    records: number;
    skipped: number;
    alerts: number;
    customers: number;
    notKeyedByCustomer: number;
    clickhouseRows: number;
    recentCap: number;
    mismatchCount: number;
    mismatches: FraudMismatch[];
  };
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

test('passes on clean fraud data: the latest counters of each customer, every alert once, the newest alerts per customer, records keyed by another customer where the sinks put them', async () => {
  const { run, report } = await verify();
  expect({ code: run.code, counters: report.fraudCounters.mismatches, alerts: report.fraudAlerts.mismatches }).toEqual({ code: 0, counters: [], alerts: [] });
  // a tombstoned customer is neither in the log's view nor in Redis; the undecodable record and the counters keyed elsewhere are skipped
  expect(report.fraudCounters).toMatchObject({
    records: fraud.counters.length + 3,
    skipped: 2,
    customers: expectedCounters.size,
    checked: expectedCounters.size,
  });
  // the alert keyed elsewhere is in ClickHouse only
  const alertIds = new Set([...fraud.alerts, alertKeyedElsewhere].map((a) => a.value.alertId));
  expect(report.fraudAlerts).toMatchObject({
    records: fraud.alerts.length + redelivered.length + 1,
    skipped: 0,
    alerts: alertIds.size,
    customers: 4,
    notKeyedByCustomer: 1,
    clickhouseRows: alertIds.size,
    recentCap: DEFAULT_RECENT_ALERTS,
  });
  // the cap is exercised: every customer has more alerts than Redis keeps
  expect(fraud.alerts.filter((a) => a.key === firstCounters!.key).length).toBeGreaterThan(DEFAULT_RECENT_ALERTS);

  const text = await runScript('verify', ['--orders', '3'], projection.env);
  expect(text.code).toBe(0);
  expect(text.stdout).toContain(`compared ${expectedCounters.size} customer(s) field by field with redis (keys ${projection.keyPrefix}fraud:*)`);
  expect(text.stdout).toContain('1 not keyed by their customerId, compared with clickhouse only (the redis sink refuses them)');
  expect(text.stdout).toMatch(/OK: redis and clickhouse agree with the log$/m);
});

/** Only the planted mismatch: every other check of the report is clean. */
function onlyFraudMismatch(report: VerifyJson, section: 'fraudCounters' | 'fraudAlerts', mismatch: FraudMismatch): void {
  expect(report.agree).toBe(false);
  expect(report.mismatches).toEqual([]);
  expect(report[section].mismatches).toEqual([mismatch]);
  expect(report[section === 'fraudCounters' ? 'fraudAlerts' : 'fraudCounters'].mismatches).toEqual([]);
}

test('a wrong counter planted in a Redis counters hash: exit 1, naming the customer and the field', async () => {
  const counters = expectedCounters.get(firstCounters!.key)!;
  const fields = countersHashFields(counters);
  const field = Object.keys(fields).find((name) => name.startsWith(RULE_FIELD_PREFIX) && !name.endsWith(':window'));
  if (field === undefined) throw new Error(`customer ${counters.customerId} has no open window to plant a wrong counter in`);
  const key = redisKeys(projection.keyPrefix).fraudCounters(counters.customerId);
  await redis.hset(key, field, '999999');
  try {
    const { run, report } = await verify();
    expect(run.code).toBe(1);
    onlyFraudMismatch(report, 'fraudCounters', { customerId: counters.customerId, store: 'redis', field, expected: fields[field]!, actual: '999999' });

    const text = await runScript('verify', [], projection.env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`${counters.customerId}\\s+redis\\s+${field}\\s+expected ${fields[field]}\\s+actual 999999`));
    expect(text.stdout).toMatch(/FAILED: 1 mismatch\(es\) in the fraud counters of 1 customer\(s\)$/m);
  } finally {
    await redis.hset(key, field, fields[field]!);
  }
  expect((await verify()).run.code).toBe(0);
});

async function alertRows(alert: FraudAlert): Promise<number> {
  const result = await clickhouse.query({
    query: `SELECT count() AS n FROM ${projection.database}.fraud_alerts FINAL WHERE alert_id = '${alert.alertId}'`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

test('an alert missing from ClickHouse: exit 1, naming the customer and the alert', async () => {
  const alert = fraud.alerts[10]!.value;
  // mutations are asynchronous on ClickHouse 18.16 (no mutations_sync): wait until queries no longer see the row
  await clickhouse.command({ query: `ALTER TABLE ${projection.database}.fraud_alerts DELETE WHERE alert_id = '${alert.alertId}'` });
  const deadline = Date.now() + 30_000;
  while ((await alertRows(alert)) > 0) {
    if (Date.now() > deadline) throw new Error(`ClickHouse still holds alert ${alert.alertId} 30 s after ALTER TABLE … DELETE`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    const { run, report } = await verify();
    expect(run.code).toBe(1);
    onlyFraudMismatch(report, 'fraudAlerts', {
      customerId: alert.customerId,
      store: 'clickhouse',
      field: `alert ${alert.alertId}`,
      expected: 'present',
      actual: null,
    });
    expect(report.fraudAlerts.clickhouseRows).toBe(report.fraudAlerts.alerts - 1);
  } finally {
    await clickhouse.insert({ table: `${projection.database}.fraud_alerts`, values: [expectedFraudAlertRow(alert)], format: 'JSONEachRow' });
  }
  expect((await verify()).run.code).toBe(0);
});

test("an extra entry planted among a customer's recent alerts in Redis: exit 1, naming the customer and the alert", async () => {
  const [newest] = fraud.alerts
    .filter((a) => a.key === firstCounters!.key)
    .map((a) => a.value)
    .sort((a, b) => b.detectedAt.getTime() - a.detectedAt.getTime());
  const planted: FraudAlert = { ...newest!, alertId: 'planted-alert', detectedAt: new Date(newest!.detectedAt.getTime() + 1) };
  const keys = redisKeys(projection.keyPrefix);
  const { score, json } = alertEntry(planted);
  await redis.multi().zadd(keys.alerts(planted.customerId), score, planted.alertId).hset(keys.alertData(planted.customerId), planted.alertId, json).exec();
  try {
    const { run, report } = await verify();
    expect(run.code).toBe(1);
    onlyFraudMismatch(report, 'fraudAlerts', {
      customerId: planted.customerId,
      store: 'redis',
      field: 'alert planted-alert',
      expected: null,
      actual: 'present',
    });
  } finally {
    await redis.multi().zrem(keys.alerts(planted.customerId), planted.alertId).hdel(keys.alertData(planted.customerId), planted.alertId).exec();
  }
  expect((await verify()).run.code).toBe(0);
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
  // events no service has consumed: the aggregator's group never committed on this prefix; nor the sinks' on the fraud topics
  const idle = await createTestPipeline('verify-idle');
  await produce(idle, [...toTopics(idle, records.slice(0, 5)), ...sinkRecords(idle, { alerts: fraud.alerts.slice(0, 2) })]);
  const env = { ...projection.env, TOPIC_PREFIX: idle.prefix };

  const waited = await runScript('verify', ['--wait', '1s'], env);
  expect(waited.code).toBe(1);
  expect(waited.stdout).toBe('');
  expect(waited.stderr).toMatch(new RegExp(`group ${idle.prefix}order-aggregator is 5 record\\(s\\) behind .*never committed.* after waiting 1s`));
  for (const sink of ['redis-sink', 'clickhouse-sink']) {
    expect(waited.stderr).toMatch(new RegExp(`group ${idle.prefix}${sink} is 2 record\\(s\\) behind on .*${idle.topics.fraudAlerts}.* after waiting 1s`));
  }

  const warned = await runScript('verify', [], env);
  expect(warned.stderr).toContain(`warning: group ${idle.prefix}order-aggregator is 5 record(s) behind`);
  expect(warned.code).toBe(1); // the orders in flight are missing from the sinks
});
