/**
 * scripts/topics against the real broker, on prefixed copies of the
 * pipeline's topics: creation with the declared policies, a second run that
 * changes nothing, repair of drifted settings without losing other
 * overrides, and partition differences reported rather than forced.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { createTopicsAndWait } from '../../lib/admin/create-topics';
import { provisionTopics } from '../../lib/admin/provision-topics';
import { DesiredTopic, desiredTopics } from '../../lib/admin/topic-plan';
import { createAdmin, type Admin } from '../../lib/kafka/clients';
import { describeTopicConfigs } from '../../lib/kafka/topic-configs';
import { topicPartitions } from '../../lib/kafka/topic-metadata';
import { DEAD_LETTER_RETENTION_MS, TOPICS } from '../../lib/topics';
import { config, logger, uniqueName } from './support/env';

let admin: Admin;

beforeAll(() => {
  admin = createAdmin(config.kafka, 'topic-provisioning-test');
});

afterAll(async () => {
  await admin.close();
});

/** Topic-level overrides (not inherited values) of a topic. */
async function overrides(topic: string): Promise<Record<string, string | null>> {
  const entries = (await describeTopicConfigs(admin, [topic])).get(topic) ?? [];
  return Object.fromEntries(entries.filter((e) => e.origin === 'topic').map((e) => [e.name, e.value]));
}

async function partitionCount(topic: string): Promise<number> {
  return (await topicPartitions(admin, topic)).length;
}

/** One small topic of our own, declared like the pipeline's. */
function single(overridesOf: Partial<DesiredTopic> = {}): DesiredTopic {
  return {
    name: uniqueName('provision'),
    partitions: 2,
    configs: { 'cleanup.policy': 'compact', 'retention.ms': '-1' },
    ...overridesOf,
  };
}

describe('provisionTopics', () => {
  it('creates every topic and its DLQ with the declared policies; a second run reports no changes', async () => {
    const plan = desiredTopics(TOPICS, { prefix: `${uniqueName('pipeline')}-` });
    const first = await provisionTopics(admin, plan, { logger });
    expect(first.map((r) => [r.topic, r.action, r.problems])).toEqual(plan.map((t) => [t.name, 'created', []]));

    for (const topic of plan) {
      expect(await overrides(topic.name)).toEqual(topic.configs);
      expect(await partitionCount(topic.name)).toBe(topic.partitions);
    }
    const customers = plan.find((t) => t.name.endsWith('-customers'))!;
    expect(await overrides(customers.name)).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    expect(await overrides(`${customers.name}.dlq`)).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': String(DEAD_LETTER_RETENTION_MS),
    });

    const second = await provisionTopics(admin, plan, { logger });
    expect(second.map((r) => [r.topic, r.action, r.changes, r.problems])).toEqual(plan.map((t) => [t.name, 'unchanged', [], []]));
  });

  it('repairs drifted settings and keeps the other overrides of the topic', async () => {
    const topic = single();
    await createTopicsAndWait(admin, [
      {
        topic: topic.name,
        numPartitions: 2,
        // cleanup.policy wrong, retention.ms inherited, and an override someone set on purpose
        configEntries: [
          { name: 'cleanup.policy', value: 'delete' },
          { name: 'max.message.bytes', value: '2000000' },
        ],
      },
    ]);

    const dry = await provisionTopics(admin, [topic], { dryRun: true });
    expect(dry[0]?.action).toBe('changed');
    expect(await overrides(topic.name)).toEqual({ 'cleanup.policy': 'delete', 'max.message.bytes': '2000000' });

    const [report] = await provisionTopics(admin, [topic], { logger });
    expect(report?.action).toBe('changed');
    expect(report?.changes).toEqual([
      { setting: 'cleanup.policy', from: 'delete', to: 'compact' },
      // inherited from the broker: pinned on the topic so it survives other broker defaults
      { setting: 'retention.ms', from: expect.stringMatching(/ \((Kafka default|server\.properties|broker setting|cluster default)\)$/), to: '-1' },
    ]);
    expect(await overrides(topic.name)).toEqual({
      'cleanup.policy': 'compact',
      'retention.ms': '-1',
      'max.message.bytes': '2000000',
    });
    expect((await provisionTopics(admin, [topic]))[0]?.action).toBe('unchanged');
  });

  it('reports missing partitions instead of moving keys, and adds them only when allowed', async () => {
    const topic = single({ partitions: 3 });
    await createTopicsAndWait(admin, [{ topic: topic.name, numPartitions: 1 }]);

    const [refused] = await provisionTopics(admin, [topic]);
    expect(refused?.problems).toEqual([
      expect.stringMatching(/^has 1 partitions, 3 declared: adding partitions moves existing keys .* --allow-partition-increase/),
    ]);
    expect(await partitionCount(topic.name)).toBe(1);
    // the settings were still fixed
    expect(refused?.changes.map((c) => c.setting)).toEqual(['cleanup.policy', 'retention.ms']);

    const [grown] = await provisionTopics(admin, [topic], { allowPartitionIncrease: true });
    expect(grown?.changes).toEqual([{ setting: 'partitions', from: '1', to: '3' }]);
    expect(grown?.problems).toEqual([]);
    expect(await partitionCount(topic.name)).toBe(3);
  });

  it('reports more partitions than declared, which Kafka cannot undo', async () => {
    const topic = single({ partitions: 1 });
    await createTopicsAndWait(admin, [
      {
        topic: topic.name,
        numPartitions: 2,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'retention.ms', value: '-1' },
        ],
      },
    ]);
    const [report] = await provisionTopics(admin, [topic]);
    expect(report?.action).toBe('unchanged');
    expect(report?.problems).toEqual([expect.stringMatching(/^has 2 partitions, 1 declared: Kafka cannot remove partitions/)]);
  });
});

describe('the scripts/topics CLI', () => {
  const run = promisify(execFile);
  const root = path.resolve(__dirname, '../..');

  it('provisions prefixed topics, then reports them unchanged', async () => {
    const prefix = `${uniqueName('cli-topics')}-`;
    const args = ['--prefix', prefix];
    const topicsCli = path.join(root, 'scripts/topics');

    const count = desiredTopics().length;

    const first = await run(topicsCli, args, { cwd: root });
    expect(first.stdout).toMatch(new RegExp(`^created +${prefix}customers +partitions 6, cleanup.policy compact, retention.ms -1$`, 'm'));
    expect(first.stdout).toMatch(new RegExp(`^${count} created, 0 changed, 0 unchanged, 0 not fixed$`, 'm'));

    const second = await run(topicsCli, args, { cwd: root });
    expect(second.stdout).toMatch(new RegExp(`^0 created, 0 changed, ${count} unchanged, 0 not fixed$`, 'm'));
  });
});
