import { PartitionProgress } from '../../../lib/streaming/partition-progress';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function tracked(stallMs = 10_000) {
  const time = clock();
  const progress = new PartitionProgress(stallMs, time.now);
  progress.assign([
    { topic: 'in', partition: 0 },
    { topic: 'in', partition: 1 },
  ]);
  progress.contact();
  return { time, progress };
}

test('a partition with lag whose committed offset does not move past the bound makes the report not ready, naming it', () => {
  const { time, progress } = tracked();
  progress.committed('in', 0, 10);
  progress.observedEnd('in', 0, 25);
  time.advance(9_000);
  progress.contact();
  expect(progress.report().ready).toBe(true);
  time.advance(2_000);
  progress.contact();
  const report = progress.report();
  expect(report.ready).toBe(false);
  expect(report.stalled).toEqual([expect.objectContaining({ topic: 'in', partition: 0, lag: 15 })]);
  expect(report.reason).toContain('in[0]');
});

test('a committed offset that moves restarts the clock; one that stays the same does not', () => {
  const { time, progress } = tracked();
  progress.committed('in', 0, 10);
  progress.observedEnd('in', 0, 100);
  time.advance(8_000);
  progress.committed('in', 0, 20);
  time.advance(8_000);
  progress.contact();
  expect(progress.report().ready).toBe(true);
  progress.committed('in', 0, 20);
  time.advance(3_000);
  progress.contact();
  expect(progress.report().ready).toBe(false);
});

test('no lag, or no end seen yet (an idle partition), is never a stall however long nothing is committed', () => {
  const { time, progress } = tracked();
  progress.committed('in', 0, 30);
  progress.observedEnd('in', 0, 30);
  progress.committed('in', 1, 5);
  time.advance(60_000);
  progress.contact();
  expect(progress.report()).toMatchObject({ ready: true, stalled: [] });
});

test('a consumer that reached no broker for longer than the bound is not ready, even with every partition caught up', () => {
  const { time, progress } = tracked();
  time.advance(10_500);
  const report = progress.report();
  expect(report.ready).toBe(false);
  expect(report.reason).toMatch(/no fetch or heartbeat reached the broker for 11 s/);
  progress.contact();
  expect(progress.report().ready).toBe(true);
});

test('before any contact, the clock runs from creation', () => {
  const time = clock();
  const progress = new PartitionProgress(5_000, time.now);
  expect(progress.report().ready).toBe(true);
  time.advance(5_001);
  expect(progress.report().ready).toBe(false);
});

test('a position counts as committed until the first commit, without restarting the clock', () => {
  const { time, progress } = tracked();
  time.advance(6_000);
  progress.position('in', 0, 7);
  progress.position('in', 0, 9); // the first one stands
  progress.observedEnd('in', 0, 12);
  time.advance(5_000);
  progress.contact();
  expect(progress.report().stalled).toEqual([expect.objectContaining({ partition: 0, lag: 5 })]);
});

test('revoked partitions are forgotten and retained ones keep their clock', () => {
  const { time, progress } = tracked();
  progress.committed('in', 1, 1);
  progress.observedEnd('in', 1, 2);
  time.advance(6_000);
  progress.assign([
    { topic: 'in', partition: 1 },
    { topic: 'in', partition: 2 },
  ]);
  time.advance(5_000);
  progress.contact();
  expect(progress.report().stalled.map((s) => s.partition)).toEqual([1]);
  expect(progress.sinceCommitSeconds()).toEqual([
    { topic: 'in', partition: 1, seconds: 11 },
    { topic: 'in', partition: 2, seconds: 5 },
  ]);
});

test('a note says what a stalled partition is doing instead', () => {
  const { time, progress } = tracked();
  progress.committed('in', 0, 0);
  progress.observedEnd('in', 0, 3);
  progress.note('in', 0, 'transaction failed');
  time.advance(11_000);
  progress.contact();
  expect(progress.report().stalled[0]?.reason).toContain('(transaction failed)');
});
