import { EndTracker } from '../../../processors/runtime/end-tracker';

test('a partition is done once a batch reaches its end offset; empty partitions count as read', () => {
  const tracker = new EndTracker([
    { partition: 0, low: '0', high: '10' },
    { partition: 1, low: '5', high: '5' },
    { partition: 2, low: '3', high: '7' },
  ]);
  expect(tracker.isReading(1)).toBe(false);
  expect(tracker.endOf(2)).toBe(7);
  expect(tracker.reached(0, '8')).toBe(false);
  expect(tracker.reached(0, '9')).toBe(true);
  expect(tracker.reached(0, '9')).toBe(false); // already done
  expect(tracker.done).toBe(false);
  expect(tracker.reached(2, '6')).toBe(true);
  expect(tracker.done).toBe(true);
});
