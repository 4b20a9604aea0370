import { VisibilityTracker } from '../../../scripts/bench/visibility-tracker';

describe('VisibilityTracker', () => {
  it('measures each event from its publish time to the poll that saw its version or a later one', () => {
    const tracker = new VisibilityTracker();
    tracker.published('o1', 1, 100);
    tracker.published('o1', 2, 110);
    tracker.published('o2', 1, 120);
    expect(tracker.pendingOrders()).toEqual(['o1', 'o2']);

    tracker.observed('o1', 1, 150);
    expect(tracker.measured()).toEqual([50]);
    tracker.observed('o2', undefined, 160); // no hash yet
    tracker.observed('o1', 3, 200); // a later version: version 2 was applied too
    expect(tracker.measured()).toEqual([50, 90]);
    expect(tracker.pendingOrders()).toEqual(['o2']);
    expect(tracker.pendingEvents).toBe(1);
  });

  it('ignores a version older than every pending event, and orders it does not track', () => {
    const tracker = new VisibilityTracker();
    tracker.published('o1', 3, 0);
    tracker.observed('o1', 2, 10);
    tracker.observed('other', 9, 10);
    expect(tracker.measured()).toEqual([]);
    expect(tracker.pendingEvents).toBe(1);
  });
});
