/**
 * Runs a processor in-process, without Kafka (like Kafka Streams'
 * TopologyTestDriver): pipe input values in, read what it forwarded, what it
 * wrote to its changelogs and what it dead-lettered, inspect its stores.
 * Uses the same RecordProcessor as the Kafka runtime; each piped record is
 * committed at once.
 */
import { createLogger } from '../../lib/logger';
import { deadLetterTopic } from '../../lib/topics';
import type { TaggedValue } from '../../lib/serde';
import type { ProcessorDefinition, ReadonlyTable } from './processor';
import { RecordProcessor } from './record-processor';
import type { StateStore } from './stores/store';

export interface DriverOutput {
  readonly topic: string;
  readonly key: string;
  /** a tagged value for outputs, the store value for changelogs; null for a tombstone */
  readonly value: unknown;
  readonly headers: Record<string, string>;
}

export interface DriverDeadLetter {
  readonly topic: string;
  readonly key: string | null;
  readonly code: string;
  readonly message: string;
}

export interface PipeOptions {
  readonly partition?: number;
  readonly timestamp?: number;
  readonly headers?: Record<string, string>;
}

const silentLogger = createLogger('test-driver', 'silent');

class MapTable<V> implements ReadonlyTable<V> {
  constructor(private readonly rows: Map<string, V>) {}
  get(key: string): V | undefined {
    return this.rows.get(key);
  }
  size(): number {
    return this.rows.size;
  }
}

export class ProcessorTestDriver<In extends TaggedValue> {
  private readonly tasks = new Map<number, RecordProcessor<In>>();
  private readonly tables = new Map<string, ReadonlyTable<unknown>>();
  private readonly tableRows = new Map<string, Map<string, unknown>>();
  private outputs: DriverOutput[] = [];
  private deadLetters: DriverDeadLetter[] = [];
  private offsets = 0;
  lateRecords = 0;

  constructor(private readonly definition: ProcessorDefinition<In>) {
    for (const spec of definition.tables) {
      const rows = new Map<string, unknown>();
      this.tableRows.set(spec.name, rows);
      this.tables.set(spec.name, new MapTable(rows));
    }
  }

  /** Sets a row of a table (null removes it), as if read from its compacted topic. */
  setTableRow(table: string, key: string, value: unknown): void {
    const rows = this.tableRows.get(table);
    if (!rows) throw new Error(`processor ${this.definition.name} has no table "${table}"`);
    if (value === null) rows.delete(key);
    else rows.set(key, value);
  }

  pipe(topic: string, key: string | null, value: In | null, options: PipeOptions = {}): void {
    const partition = options.partition ?? 0;
    const task = this.task(partition);
    const offset = String(this.offsets++);
    const headers = options.headers ?? {};
    const outcome = task.process({
      topic,
      partition,
      offset,
      key,
      value,
      timestamp: options.timestamp ?? Date.now(),
      headers,
      // no bytes in-process: the dead letter keeps the position
      source: { topic, partition, offset, key: key === null ? null : Buffer.from(key), value: null, headers },
    });
    if (outcome.kind === 'rejected') {
      this.deadLetters.push({ topic: deadLetterTopic(topic), key, code: outcome.code, message: outcome.message });
      return;
    }
    for (const forward of outcome.forwards) this.outputs.push(forward);
    for (const { source, code, message } of outcome.earlierRejections) {
      this.deadLetters.push({ topic: deadLetterTopic(source.topic), key: source.key?.toString() ?? null, code, message });
    }
    for (const { spec, changes } of outcome.stores) {
      for (const change of changes) this.outputs.push({ topic: spec.changelogTopic, key: change.key, value: change.value, headers: {} });
    }
    task.accept();
    task.seal();
    task.commit();
  }

  /** Outputs of a topic since the last read, in order; they are removed. */
  readOutput(topic: string): DriverOutput[] {
    const read = this.outputs.filter((o) => o.topic === topic);
    this.outputs = this.outputs.filter((o) => o.topic !== topic);
    return read;
  }

  readDeadLetters(): DriverDeadLetter[] {
    const read = this.deadLetters;
    this.deadLetters = [];
    return read;
  }

  store<S extends StateStore<unknown>>(name: string, partition = 0): S {
    const store = this.task(partition).store(name);
    if (!store) throw new Error(`processor ${this.definition.name} has no store "${name}"`);
    return store as S;
  }

  private task(partition: number): RecordProcessor<In> {
    let task = this.tasks.get(partition);
    if (!task) {
      task = new RecordProcessor(this.definition, this.tables, silentLogger, () => {
        this.lateRecords += 1;
      });
      this.tasks.set(partition, task);
    }
    return task;
  }
}
