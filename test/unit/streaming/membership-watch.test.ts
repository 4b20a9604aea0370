import { MembershipWatch } from '../../../lib/streaming/membership-watch';

function watched(silenceMs = 5_000) {
  let now = 1_000;
  const watch = new MembershipWatch(silenceMs, () => now);
  return { watch, advance: (ms: number) => void (now += ms) };
}

test('fetches going on without an accepted heartbeat past the bound mean the consumer left its group', () => {
  const { watch, advance } = watched();
  watch.heartbeat();
  for (let i = 0; i < 50; i++) {
    advance(100);
    watch.fetched();
  }
  expect(watch.silentWhileFetching()).toBeUndefined();
  advance(600);
  watch.fetched();
  expect(watch.silentWhileFetching()).toBe(5_600);
});

test('heartbeats between fetches keep it a member', () => {
  const { watch, advance } = watched();
  for (let i = 0; i < 100; i++) {
    advance(1_000);
    watch.fetched();
    watch.heartbeat();
  }
  expect(watch.silentWhileFetching()).toBeUndefined();
});

test('no fetches (a join, a broker away) is not this: the join or the crash handling covers it', () => {
  const { watch, advance } = watched();
  watch.fetched();
  advance(60_000);
  expect(watch.silentWhileFetching()).toBeUndefined();
});

test('a join starts the clock again', () => {
  const { watch, advance } = watched();
  advance(10_000);
  watch.joined();
  advance(1_000);
  watch.fetched();
  expect(watch.silentWhileFetching()).toBeUndefined();
});

test('the first fetches after a broker hang are not a silence: the member heartbeats right after them', () => {
  const { watch, advance } = watched();
  watch.heartbeat();
  advance(20_000); // the broker hung
  watch.fetched();
  expect(watch.silentWhileFetching()).toBeUndefined();
  advance(500);
  watch.fetched();
  watch.heartbeat();
  advance(100);
  watch.fetched();
  expect(watch.silentWhileFetching()).toBeUndefined();
});
