/**
 * The load generator runner on the real broker and registry: a small count
 * run publishes exactly the events the generator yields for the same
 * options, per topic, and the CLI prints a summary that matches Kafka.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { TOPIC } from '../../lib/topics';
import { createPublisher } from '../../producers/create-publisher';
import { EVENT_HEADER } from '../../producers/event-headers';
import { generateLifecycles } from '../../producers/loadgen/lifecycle';
import { GENERATED_TOPICS } from '../../producers/loadgen/generated-topics';
import { planRun, runLoadgen } from '../../producers/loadgen/run';
import { config, logger } from './support/env';
import { ROOT, TestPipeline, createTestPipeline, endOffsetTotal, readAll } from './support/pipeline';
import { nodeArgs } from '../../lib/service/project-root';

const run = promisify(execFile);

/** Records per generated topic (high watermarks): CLI runs are measured as the growth of these. */
async function topicSizes(pipeline: TestPipeline): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const topic of GENERATED_TOPICS) sizes[topic] = await endOffsetTotal(pipeline, `${pipeline.prefix}${topic}`);
  return sizes;
}

function growth(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([topic, n]) => [topic, n - (before[topic] ?? 0)]));
}

describe('load generator runner', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await createTestPipeline('loadgen');
  });

  it('publishes exactly the generated events, per topic', async () => {
    const options = { orders: 60, customers: 25, seed: 5, rate: 2000, start: new Date('2024-05-01T00:00:00.000Z') };
    const expected = [...generateLifecycles(planRun(options, Date.now()).overrides)];
    const publisher = await createPublisher(config, logger, { topicPrefix: pipeline.prefix });
    try {
      const summary = await runLoadgen({ ...options, publisher });
      expect(summary.events).toBe(expected.length);
      expect(summary.orders).toBe(60);
    } finally {
      await publisher.close();
    }
    for (const topic of GENERATED_TOPICS) {
      const sent = expected.filter((r) => r.topic === topic).map((r) => r.event.value.envelope.eventId);
      const read = await readAll(pipeline, `${pipeline.prefix}${topic}`);
      expect(read.map((m) => m.headers?.[EVENT_HEADER.id]?.toString()).sort()).toEqual([...sent].sort());
    }
  });

  it('as a CLI, prints a JSON summary that matches what Kafka holds', async () => {
    const prefix = pipeline.prefix;
    const before = await topicSizes(pipeline);
    const { stdout, stderr } = await run(
      process.execPath,
      nodeArgs('producers/loadgen/run.ts', '--orders', '30', '--customers', '10', '--seed', '9', '--fraud', 'off', '--prefix', prefix, '--json'),
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: '' } },
    );
    const summary = JSON.parse(stdout) as { events: number; byTopic: Record<string, number>; stoppedBy: string; plan: { mode: string } };
    expect(summary.stoppedBy).toBe('orders');
    expect(summary.plan.mode).toBe('ends-now');
    expect(stderr).toMatch(/^loadgen: 30 orders \(~205 events\) as fast as possible; seed 9, 10 customers, fraud off; event time from .*, ending about now/);
    expect(growth(before, await topicSizes(pipeline))).toEqual(summary.byTopic);
    expect(summary.byTopic[TOPIC.customers]).toBe(10);
  });

  it('on SIGTERM, stops generating, flushes what it generated and still prints the summary', async () => {
    const prefix = pipeline.prefix;
    const before = await topicSizes(pipeline);
    const child = spawn(
      process.execPath,
      nodeArgs('producers/loadgen/run.ts', '--duration', '60s', '--rate', '300', '--customers', '10', '--prefix', prefix, '--json'),
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const progressed = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/events · /.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await progressed;
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(stderr).toContain('SIGTERM: stopping, flushing what was generated');
    const summary = JSON.parse(stdout) as { events: number; stoppedBy: string };
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.events).toBeGreaterThan(0);
    const added = Object.values(growth(before, await topicSizes(pipeline))).reduce((a, b) => a + b, 0);
    expect(added).toBe(summary.events);
  });
});
