/**
 * Producer CLI: publishes events from a JSON-lines file or stdin (format in
 * jsonl/event-line.ts and PRODUCER_USAGE). Bad lines are reported as
 * `line N: reason` on stderr and skipped; valid lines are published in input
 * order. SIGTERM/SIGINT stops reading, flushes what was read, and prints the
 * summary.
 *
 *   npm run produce -- --file events.jsonl
 *   cat events.jsonl | npm run produce -- --topic orders.events
 */
import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { EXIT_FAILED, EXIT_OK, UsageError, runCli } from '../lib/cli/cli';
import { producerCliContext } from './cli-context';
import type { TaggedValue } from '../lib/serde';
import { PRODUCER_USAGE, ProducerArgs, parseProducerArgs } from './cli-args';
import { createPublisher } from './create-publisher';
import { InFlightWindow, inFlightCallsFor } from './in-flight-window';
import { EventLine, isBlankLine, parseEventLine } from './jsonl/event-line';
import { lineBatches } from './jsonl/line-batches';
import type { OutgoingEvent } from './outgoing-event';
import { watchShutdownSignals } from './shutdown-signals';

/** Lines per publish call: large enough to fill batches, small enough to report bad lines promptly. */
const LINES_PER_CALL = 500;

interface FailedLine {
  readonly line: number;
  readonly reason: string;
}

interface ProducerSummary {
  /** Non-blank lines read. */
  lines: number;
  published: number;
  byTopic: Record<string, number>;
  failedLines: FailedLine[];
  /** Set when Kafka or the registry failed: lines after the last acknowledged batch may not be published. */
  error: string | null;
  /** A signal stopped the input before its end. */
  interrupted: boolean;
}

function toOutgoing(line: EventLine): OutgoingEvent<Record<string, TaggedValue>> {
  const event = line.value === null ? null : { type: line.type ?? '', value: line.value };
  return line.key === undefined ? { topic: line.topic, event } : { topic: line.topic, key: line.key, event };
}

async function openInput(args: ProducerArgs): Promise<Readable> {
  if (args.file === undefined) {
    if (process.stdin.isTTY) process.stderr.write('reading events from stdin, one JSON object per line (Ctrl-D to end)\n');
    return process.stdin;
  }
  try {
    await access(args.file, constants.R_OK);
  } catch (err) {
    throw new UsageError(`--file: cannot read ${args.file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return createReadStream(args.file);
}

function renderSummary(summary: ProducerSummary): string {
  const topics = Object.entries(summary.byTopic).map(([topic, count]) => `${topic} ${count}`);
  const lines = [`published ${summary.published} event(s)${topics.length > 0 ? `: ${topics.join(', ')}` : ''}`];
  if (summary.failedLines.length > 0) {
    const numbers = summary.failedLines.map((f) => f.line);
    const shown = numbers.length > 30 ? `${numbers.slice(0, 30).join(', ')}, …` : numbers.join(', ');
    lines.push(`failed ${summary.failedLines.length} line(s): ${shown}`);
  }
  if (summary.interrupted) lines.push('interrupted: input after the signal was not read');
  if (summary.error !== null) lines.push(`publishing stopped: ${summary.error}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = parseProducerArgs(process.argv.slice(2));
  const input = await openInput(args);
  const { config, logger } = producerCliContext('producer-cli');
  const publisher = await createPublisher<Record<string, TaggedValue>>(config, logger, { topicPrefix: args.prefix ?? config.topicPrefix });
  const shutdown = watchShutdownSignals((signal) => process.stderr.write(`${signal}: flushing what was read, then exiting\n`));
  const window = new InFlightWindow(inFlightCallsFor(LINES_PER_CALL));
  const summary: ProducerSummary = { lines: 0, published: 0, byTopic: {}, failedLines: [], error: null, interrupted: false };
  const failLine = (line: number, reason: string): void => {
    summary.failedLines.push({ line, reason });
    process.stderr.write(`line ${line}: ${reason}\n`);
  };

  try {
    for await (const batch of lineBatches(input, LINES_PER_CALL, shutdown.signal)) {
      const events: OutgoingEvent<Record<string, TaggedValue>>[] = [];
      const lineNumbers: number[] = [];
      for (const { number, text } of batch) {
        if (isBlankLine(text)) continue;
        summary.lines += 1;
        const parsed = parseEventLine(text, args.topic);
        if (!parsed.ok) {
          failLine(number, parsed.reason);
          continue;
        }
        events.push(toOutgoing(parsed.line));
        lineNumbers.push(number);
      }
      // Prepared one batch after the other, so bad lines are reported and events queued in input order.
      const { records, rejected } = await publisher.prepare(events);
      for (const r of rejected) failLine(lineNumbers[r.index] ?? 0, r.reason);
      await window.add(
        publisher.publishPrepared(records).then(() => {
          summary.published += records.length;
          for (const r of records) summary.byTopic[r.catalogTopic] = (summary.byTopic[r.catalogTopic] ?? 0) + 1;
        }),
      );
    }
    await window.drain();
  } catch (err) {
    summary.error = err instanceof Error ? err.message : String(err);
    logger.error({ err }, 'publishing failed');
  } finally {
    summary.interrupted = shutdown.signal.aborted;
    await publisher.close().catch((err: unknown) => {
      summary.error ??= err instanceof Error ? err.message : String(err);
    });
    shutdown.dispose();
  }

  summary.failedLines.sort((a, b) => a.line - b.line);
  process.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${renderSummary(summary)}\n`);
  // An interrupted run did not publish all of its input: that is a failure too.
  return summary.failedLines.length > 0 || summary.error !== null || summary.interrupted ? EXIT_FAILED : EXIT_OK;
}

runCli(PRODUCER_USAGE, main);
