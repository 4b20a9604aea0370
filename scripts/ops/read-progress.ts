/**
 * Progress of a long read on stderr, at most once a second: per topic, the
 * records read so far and how many partitions are read to their end.
 */
import type { ReadProgress } from '../../lib/kafka/topic-reader';

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
    let finished = 0;
    for (const p of partitions.values()) {
      read += p.read;
      if (p.read >= p.total) finished += 1;
    }
    write(`reading ${topic}: ${read} record(s) so far, ${finished} partition(s) read to the end\n`);
  };
}
