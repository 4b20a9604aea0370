/**
 * Progress of a long read on stderr, at most once a second: per topic, the
 * records read over the partitions' sizes taken at the start.
 */
import type { ReadProgress } from '../../processors/runtime/partition-reader';

export function progressPrinter(write: (line: string) => void, intervalMs = 1000): (topic: string, progress: ReadProgress) => void {
  const perTopic = new Map<string, Map<number, ReadProgress>>();
  let last = 0;
  return (topic, progress) => {
    const partitions = perTopic.get(topic) ?? new Map<number, ReadProgress>();
    perTopic.set(topic, partitions);
    partitions.set(progress.partition, progress);
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    let read = 0;
    let total = 0;
    for (const p of partitions.values()) {
      read += p.read;
      total += p.total;
    }
    write(`reading ${topic}: ${read} of ${total} record(s) in the ${partitions.size} partition(s) started\n`);
  };
}
