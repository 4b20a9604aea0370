/**
 * The validator and the fraud detector as services on real Kafka: generated
 * lifecycles with injected fraud become activities and alerts; the fraud
 * detector is SIGKILLed mid-stream and restarted, and still every alert
 * exists exactly once and counters never repeat a version.
 */
import { TOPIC } from '../../lib/topics';
import type { FraudAlert, FraudCounters } from '../../schemas/generated/types';
import { DEFAULT_FRAUD_RULES_CONFIG, FRAUD_RULES } from '../../lib/domain/fraud/rules';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { burstCustomers } from '../fixtures/generated-stream';
import { committedCount, createTestPipeline, exited, produce, readAll, spawnProcessor, trackChildren, waitFor, waitForCaughtUp } from './support/pipeline';

const track = trackChildren();

test('alerts and counters are exact across a SIGKILL of the fraud detector', async () => {
  const pipeline = await createTestPipeline('fraud');
  const records = [
    ...generateLifecycles({
      seed: 31,
      customers: 150,
      orders: 1500,
      fraud: { orderBurst: { rate: 0.02, cancelRate: 0, orders: 8, windowMs: 10 * 60_000 } },
    }),
  ];
  const topicOf = {
    [TOPIC.customers]: pipeline.topics.customers,
    [TOPIC.orderEvents]: pipeline.topics.orderEvents,
    [TOPIC.paymentEvents]: pipeline.topics.paymentEvents,
  };
  await produce(
    pipeline,
    records.map((r) => ({ topic: topicOf[r.topic], key: r.key, value: r.event })),
  );

  // the restart is the same instance (exactly_once_v2 names its transactional id by it), as a supervisor's would be
  const start = async (name: string) => {
    const child = await spawnProcessor(name, pipeline, { PROCESSOR_INSTANCE_ID: '1' });
    return track(child);
  };
  await start('validator');
  const first = await start('fraud-detector');
  const fraudGroup = `${pipeline.prefix}fraud-detector`;
  await waitFor(
    async () => (await committedCount(pipeline, fraudGroup, [pipeline.topics.customerActivity])) > 500,
    'the fraud detector to commit some progress',
  );
  first.kill('SIGKILL');
  await exited(first);
  await start('fraud-detector');

  await waitForCaughtUp(pipeline, `${pipeline.prefix}validator`, [pipeline.topics.orderEvents, pipeline.topics.paymentEvents]);
  await waitForCaughtUp(pipeline, fraudGroup, [pipeline.topics.customerActivity]);

  const decode = async <T>(topic: string) =>
    Promise.all((await readAll(pipeline, topic)).map(async (m) => (await pipeline.codec.decode(topic, m.value!)).value as T));
  const alerts = await decode<FraudAlert>(pipeline.topics.fraudAlerts);
  expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
  const settings = DEFAULT_FRAUD_RULES_CONFIG.rules[FRAUD_RULES.orderCount];
  const expectedBursts = burstCustomers(records, settings.threshold, settings.windowSizeMs);
  expect(expectedBursts.length).toBeGreaterThan(0);
  const alerted = new Set(alerts.filter((a) => a.rule === FRAUD_RULES.orderCount).map((a) => a.customerId));
  expect([...alerted].sort()).toEqual([...expectedBursts].sort());

  const versions = new Map<string, number>();
  for (const counters of await decode<FraudCounters>(pipeline.topics.fraudCounters)) {
    const previous = versions.get(counters.customerId) ?? 0;
    expect(counters.version).toBeGreaterThan(previous); // a replayed activity would repeat a version
    versions.set(counters.customerId, counters.version);
  }
  expect(versions.size).toBeGreaterThan(0);
  expect(await readAll(pipeline, `${pipeline.topics.orderEvents}.dlq`)).toEqual([]);
});
