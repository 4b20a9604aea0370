/**
 * scripts/replay and scripts/lag on the real broker: a group reset to a time
 * reads exactly the records produced from that time on; a reset is refused
 * while the group has a member; --dry-run changes nothing; lag shows the
 * age of what a group has not read, with a level.
 */
import { joinGroup, type GroupMemberHandle } from './support/group-consumer';
import { createTestPipeline, produce, TestPipeline } from './support/pipeline';
import { uniqueName } from './support/env';
import { runScript } from './support/run-script';

jest.setTimeout(120_000);

let pipeline: TestPipeline;
let topic: string;
const batchA = Array.from({ length: 60 }, (_, i) => ({ key: `order-${i % 13}`, value: `a-${i}` }));
const batchB = Array.from({ length: 45 }, (_, i) => ({ key: `order-${i % 11}`, value: `b-${i}` }));
let between: number;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function produceRaw(records: ReadonlyArray<{ key: string; value: string }>): Promise<void> {
  await produce(
    pipeline,
    records.map((r) => ({ topic, key: r.key, value: Buffer.from(r.value) })),
  );
}

/** Joins the group, reads until `expected` records arrived (or a quiet second passed), commits, leaves. */
async function consumeAs(groupId: string, expected: number): Promise<string[]> {
  const seen: string[] = [];
  let last = Date.now();
  const member = await joinGroup(pipeline.kafkaConfig, groupId, [topic], ({ value }) => {
    seen.push(value?.toString() ?? '');
    last = Date.now();
  });
  try {
    while (seen.length < expected || Date.now() - last < 1000) await sleep(100);
  } finally {
    await member.close();
  }
  return seen;
}

/** A member of the group that only holds it (whatever it reads is committed, as a live consumer would). */
async function joined(groupId: string): Promise<GroupMemberHandle> {
  return joinGroup(pipeline.kafkaConfig, groupId, [topic]);
}

beforeAll(async () => {
  pipeline = await createTestPipeline('replay');
  topic = pipeline.topics.orderEvents;
  await produceRaw(batchA);
  await sleep(300);
  between = Date.now();
  await sleep(300);
  await produceRaw(batchB);
});

test('reset to a time: the group reads exactly the records produced from that time on', async () => {
  const group = uniqueName('replay-time');
  expect((await consumeAs(group, batchA.length + batchB.length)).length).toBe(batchA.length + batchB.length);

  const reset = await runScript('replay', ['reset', '--group', group, '--to', new Date(between).toISOString()], { TOPIC_PREFIX: pipeline.prefix });
  expect(reset.stderr).toBe('');
  expect(reset.code).toBe(0);
  expect(reset.stdout).toContain(`resetting ${group} to the first record at or after ${new Date(between).toISOString()}`);

  const replayed = await consumeAs(group, batchB.length);
  expect(replayed.sort()).toEqual(batchB.map((r) => r.value).sort());
});

test('reset is refused while the group has a member; --dry-run shows the move and changes nothing', async () => {
  const group = uniqueName('replay-active');
  await consumeAs(group, batchA.length + batchB.length);
  const member = await joined(group);
  try {
    const refused = await runScript('replay', ['reset', '--group', group, '--to', 'earliest']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`consumer group ${group} has 1 active member\\(s\\).*stop its consumers`));
  } finally {
    await member.close();
  }

  const dry = await runScript('replay', ['reset', '--group', group, '--to', 'earliest', '--dry-run', '--json']);
  expect(dry.code).toBe(0);
  const plan = JSON.parse(dry.stdout) as { dryRun: boolean; moves: Array<{ from: number; to: number; delta: number }> };
  expect(plan.dryRun).toBe(true);
  expect(plan.moves.reduce((sum, m) => sum + m.delta, 0)).toBe(batchA.length + batchB.length);
  expect(plan.moves.every((m) => m.to === 0)).toBe(true);
  // nothing moved: the group still has nothing left to read
  const groups = await runScript('replay', ['groups', '--group', group, '--json']);
  const listed = JSON.parse(groups.stdout) as { partitions: Array<{ lag: number }> };
  expect(listed.partitions.reduce((sum, p) => sum + p.lag, 0)).toBe(0);
});

test('explicit offsets move only the partitions named; an offset outside the log is a usage error naming the range', async () => {
  const group = uniqueName('replay-offsets');
  await consumeAs(group, batchA.length + batchB.length);
  const wrong = await runScript('replay', ['reset', '--group', group, '--topic', topic, '--to', '0:100000']);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain(`offset 100000 is outside ${topic}[0]`);

  const moved = await runScript('replay', ['reset', '--group', group, '--topic', topic, '--to', '0:0', '--json']);
  expect(moved.code).toBe(0);
  const plan = JSON.parse(moved.stdout) as { moves: Array<{ partition: number; to: number; delta: number }> };
  expect(plan.moves.map((m) => m.partition)).toEqual([0]);
  const again = await consumeAs(group, plan.moves[0]!.delta);
  expect(again.length).toBe(plan.moves[0]!.delta);
});

test('lag: records a group has not read show as offset lag and time lag with a level', async () => {
  const group = uniqueName('replay-lag');
  await consumeAs(group, batchA.length + batchB.length);
  const caughtUp = await runScript('lag', ['--group', group, '--json']);
  expect(caughtUp.code).toBe(0);
  const rows = caughtUp.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { lag: number; timeLagMs: number; level: string });
  expect(rows.every((r) => r.lag === 0 && r.timeLagMs === 0 && r.level === 'normal')).toBe(true);

  // move back to the start: the oldest unread record is now older than the test's pauses
  expect((await runScript('replay', ['reset', '--group', group, '--to', 'earliest'])).code).toBe(0);
  const behind = await runScript('lag', ['--group', group, '--json']);
  const lagging = behind.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { lag: number; timeLagMs: number; level: string });
  expect(lagging.reduce((sum, r) => sum + r.lag, 0)).toBe(batchA.length + batchB.length);
  for (const row of lagging.filter((r) => r.lag > 0)) {
    expect(row.timeLagMs).toBeGreaterThanOrEqual(Date.now() - between);
    expect(['warning', 'critical', 'emergency']).toContain(row.level);
  }
  const text = await runScript('lag', ['--group', group]);
  expect(text.stdout).toContain(`${group}: `);
});
