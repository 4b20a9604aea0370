/** Prometheus metrics of one processor service. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PartitionProgress } from '../../lib/streaming/partition-progress';
import { sinceCommitGauge } from '../../lib/streaming/progress-metrics';

export class ProcessorMetrics {
  readonly registry = new Registry();
  readonly recordsIn: Counter<'topic'>;
  readonly recordsOut: Counter<'topic'>;
  readonly deadLetters: Counter<'topic' | 'code'>;
  readonly lateRecords: Counter;
  readonly batchLatency: Histogram;
  readonly commitLatency: Histogram;
  readonly commits: Counter<'result'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly storeSize: Gauge<'store' | 'partition'>;
  readonly restoreProgress: Gauge<'store' | 'partition'>;
  readonly restoredRecords: Counter<'store'>;
  readonly taskRebuilds: Counter<'reason'>;
  readonly groupRejoins: Counter;
  private progress: PartitionProgress | undefined;

  constructor(processor: string) {
    this.registry.setDefaultLabels({ processor });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.recordsIn = new Counter({ name: 'processor_records_in_total', help: 'Input records processed', labelNames: ['topic'], registers });
    this.recordsOut = new Counter({
      name: 'processor_records_out_total',
      help: 'Records produced (outputs and changelogs), committed',
      labelNames: ['topic'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'processor_dead_letters_total',
      help: 'Input records sent to a dead-letter topic',
      labelNames: ['topic', 'code'],
      registers,
    });
    this.lateRecords = new Counter({ name: 'processor_late_records_total', help: 'Events that arrived after their window closed', registers });
    this.batchLatency = new Histogram({
      name: 'processor_batch_seconds',
      help: 'Time to process one fetched batch (decode, process, encode)',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.commitLatency = new Histogram({
      name: 'processor_commit_seconds',
      help: 'Time to commit one task transaction',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.commits = new Counter({ name: 'processor_commits_total', help: 'Transactions committed or aborted', labelNames: ['result'], registers });
    this.lag = new Gauge({
      name: 'processor_consumer_lag',
      help: 'High watermark minus next offset, per input partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.storeSize = new Gauge({ name: 'processor_state_store_keys', help: 'Keys in a state store', labelNames: ['store', 'partition'], registers });
    this.restoreProgress = new Gauge({
      name: 'processor_restore_progress_ratio',
      help: 'Share of a changelog partition restored (1 = done)',
      labelNames: ['store', 'partition'],
      registers,
    });
    this.restoredRecords = new Counter({
      name: 'processor_restored_records_total',
      help: 'Changelog records applied while restoring',
      labelNames: ['store'],
      registers,
    });
    this.taskRebuilds = new Counter({
      name: 'processor_task_rebuilds_total',
      help: 'Tasks built: on assignment, or again after a failed transaction (new producer, fence, restore, committed positions)',
      labelNames: ['reason'],
      registers,
    });
    this.groupRejoins = new Counter({
      name: 'processor_group_rejoins_total',
      help: 'Group joins the runtime started itself (a rejoin the client gave up on, or out of the group, or waiting for a join, for two sessions)',
      registers,
    });
    sinceCommitGauge('processor_seconds_since_commit', this.registry, () => this.progress);
  }

  /** The per-partition progress behind processor_seconds_since_commit. */
  trackProgress(progress: PartitionProgress): void {
    this.progress = progress;
  }
}
