/** Unit test with a fake consumer (an EventEmitter standing in for the client's): no broker. */
import { EventEmitter } from 'node:events';
import type { Consumer } from '@platformatic/kafka';
import { GroupMember } from '../../../lib/kafka/group-membership';
import { createLogger } from '../../../lib/logger';

class FakeConsumer extends EventEmitter {
  generationId = 1;
  joinGroup = jest.fn(async () => 'member-1');
  leaveGroup = jest.fn(async () => undefined);
  isActive = () => true;
}

function member(consumer: FakeConsumer, onJoin = jest.fn()) {
  return new GroupMember({
    consumer: consumer as unknown as Consumer,
    logger: createLogger('test', 'silent'),
    topics: ['orders'],
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    heartbeatIntervalMs: 1_000,
    onJoin,
    onFatal: (error) => {
      throw error;
    },
  });
}

const join = (consumer: FakeConsumer, isLeader: boolean, partitions: number[], generationId = 2) =>
  consumer.emit('consumer:group:join', { generationId, isLeader, assignments: partitions.length ? [{ topic: 'orders', partitions }] : [] });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a leader given no partition of its topics joins again; one given partitions does not', async () => {
  const consumer = new FakeConsumer();
  const onJoin = jest.fn();
  const m = member(consumer, onJoin);
  await m.join();
  expect(consumer.joinGroup).toHaveBeenCalledTimes(1);
  join(consumer, true, []);
  expect(onJoin).toHaveBeenCalledWith(2, []);
  await jest.advanceTimersByTimeAsync(1_500);
  expect(consumer.joinGroup).toHaveBeenCalledTimes(2);
  join(consumer, true, [0, 1], 3);
  await jest.advanceTimersByTimeAsync(5_000);
  expect(consumer.joinGroup).toHaveBeenCalledTimes(2);
  m.close();
});

test('a member that is not the leader may be given nothing (more members than partitions)', async () => {
  const consumer = new FakeConsumer();
  const m = member(consumer);
  await m.join();
  join(consumer, false, []);
  await jest.advanceTimersByTimeAsync(5_000);
  expect(consumer.joinGroup).toHaveBeenCalledTimes(1);
  m.close();
});

test('a later join before the delay settles it; a leader left empty again and again stops joining after three attempts', async () => {
  const consumer = new FakeConsumer();
  const m = member(consumer);
  await m.join();
  join(consumer, true, []);
  join(consumer, true, [0], 3);
  await jest.advanceTimersByTimeAsync(2_000);
  expect(consumer.joinGroup).toHaveBeenCalledTimes(1);
  for (let i = 0; i < 6; i++) {
    join(consumer, true, [], 4 + i);
    await jest.advanceTimersByTimeAsync(1_500);
  }
  // three attempts, then it accepts the empty assignment
  expect(consumer.joinGroup).toHaveBeenCalledTimes(1 + 3);
  m.close();
});
