/** The metric beside /health's progress check: seconds since each assigned partition's committed offset moved. */
import { Gauge, Registry } from 'prom-client';
import type { PartitionProgress } from './partition-progress';

export function sinceCommitGauge(name: string, registry: Registry, progress: () => PartitionProgress | undefined): Gauge<'topic' | 'partition'> {
  return new Gauge({
    name,
    help: 'Seconds since the committed offset of an assigned input partition last moved',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { topic, partition, seconds } of progress()?.sinceCommitSeconds() ?? []) this.set({ topic, partition: String(partition) }, seconds);
    },
  });
}
