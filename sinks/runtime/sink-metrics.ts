/** Prometheus metrics of one sink service (label `sink` on every series). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PartitionProgress } from '../../lib/streaming/partition-progress';
import { sinceCommitGauge } from '../../lib/streaming/progress-metrics';

export class SinkMetrics {
  readonly registry = new Registry();
  readonly recordsIn: Counter<'topic'>;
  readonly recordsWritten: Counter<'topic'>;
  readonly batchRecords: Histogram;
  readonly writeLatency: Histogram;
  readonly writeRetries: Counter;
  readonly writeFailures: Counter<'reason'>;
  readonly commitLatency: Histogram;
  readonly deadLetters: Counter<'topic' | 'code'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly paused: Gauge;
  readonly pendingRecords: Gauge;
  readonly groupRejoins: Counter;
  private progress: PartitionProgress | undefined;

  constructor(sink: string) {
    this.registry.setDefaultLabels({ sink });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const seconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    this.recordsIn = new Counter({
      name: 'sink_records_in_total',
      help: 'Records consumed from the input topics (before writing)',
      labelNames: ['topic'],
      registers,
    });
    this.recordsWritten = new Counter({
      name: 'sink_records_written_total',
      help: 'Records the store acknowledged and whose offsets were committed',
      labelNames: ['topic'],
      registers,
    });
    this.batchRecords = new Histogram({
      name: 'sink_batch_records',
      help: 'Records per write() call',
      buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10_000, 50_000, 100_000],
      registers,
    });
    this.writeLatency = new Histogram({
      name: 'sink_write_seconds',
      help: 'Duration of successful write() calls (store acknowledged)',
      buckets: seconds,
      registers,
    });
    this.writeRetries = new Counter({ name: 'sink_write_retries_total', help: 'Batches retried after a failed write, dead-letter send or commit', registers });
    this.writeFailures = new Counter({
      name: 'sink_write_failures_total',
      help: 'Failed attempts, by stage (write, timeout, dead-letter, commit)',
      labelNames: ['reason'],
      registers,
    });
    this.commitLatency = new Histogram({ name: 'sink_commit_seconds', help: 'Duration of offset commits', buckets: seconds, registers });
    this.deadLetters = new Counter({
      name: 'sink_dead_letters_total',
      help: 'Records sent to a dead-letter topic (undecodable or rejected by the store)',
      labelNames: ['topic', 'code'],
      registers,
    });
    this.lag = new Gauge({
      name: 'sink_consumer_lag',
      help: 'High watermark minus committed (written) offset, per input partition',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.paused = new Gauge({ name: 'sink_paused', help: '1 while consumption is paused because the store is failing', registers });
    this.pendingRecords = new Gauge({ name: 'sink_pending_records', help: 'Records consumed and not yet written', registers });
    this.groupRejoins = new Counter({
      name: 'sink_group_rejoins_total',
      help: 'Group joins the sink started itself: a rejoin the client gave up on, or out of the group (or waiting for a join) for two sessions',
      registers,
    });
    sinceCommitGauge('sink_seconds_since_commit', this.registry, () => this.progress);
  }

  /** The per-partition progress behind sink_seconds_since_commit. */
  trackProgress(progress: PartitionProgress): void {
    this.progress = progress;
  }
}
