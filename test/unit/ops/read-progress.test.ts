import { progressPrinter } from '../../../scripts/ops/read-progress';

test('progress: records read over the partitions of a topic, at most once per interval', () => {
  const lines: string[] = [];
  const print = progressPrinter((line) => lines.push(line), 0);
  print('orders.events', { partition: 0, read: 10, total: 10 });
  print('orders.events', { partition: 1, read: 5, total: 20 });
  expect(lines).toEqual([
    'reading orders.events: 10 record(s) so far, 1 partition(s) read to the end\n',
    'reading orders.events: 15 record(s) so far, 1 partition(s) read to the end\n',
  ]);
  const quiet: string[] = [];
  const throttled = progressPrinter((line) => quiet.push(line), 60_000);
  throttled('t', { partition: 0, read: 1, total: 2 });
  throttled('t', { partition: 0, read: 2, total: 2 });
  expect(quiet).toHaveLength(1);
});
