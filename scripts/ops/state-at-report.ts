/**
 * What scripts/state-at prints: per source, the order's state at the
 * instant (as scripts/lookup prints an order) and its audit trail; then
 * whether the sources agree. Pure.
 */
import type { OrderState } from '../../schemas/generated/types';
import { formatOrder } from '../../sinks/redis/lookup-format';
import { orderHashFields, parseOrderHash } from '../../sinks/redis/order-hash';
import { columns } from '../../lib/cli/cli';
import { diffFields, FieldDifference } from './field-diff';
import type { OrderAtTime, TrailEntry } from './order-timeline';

export type StateSource = 'kafka' | 'clickhouse';

export interface SourceAnswer extends OrderAtTime {
  readonly source: StateSource;
  /** How the source was read, for people (partitions and bounds, or the table). */
  readonly readFrom: string;
}

export interface StateAtReport {
  readonly orderId: string;
  readonly at: Date;
  readonly answers: readonly SourceAnswer[];
  /** Between the first two answers' states; empty when they agree or there is one answer. */
  readonly differences: readonly FieldDifference[];
}

export function stateAtReport(orderId: string, at: Date, answers: readonly SourceAnswer[]): StateAtReport {
  const [first, second] = answers;
  const differences = first && second ? diffFields(stateFields(first.state), stateFields(second.state)) : [];
  return { orderId, at, answers, differences };
}

/** True when no source holds an event of the order by then. */
export function noEvents(report: StateAtReport): boolean {
  return report.answers.every((answer) => answer.trail.length === 0);
}

function stateFields(state: OrderState | null): Record<string, string> {
  return state === null ? {} : orderHashFields(state);
}

function position(entry: TrailEntry): string {
  const { topic, partition, offset } = entry.source;
  return partition === undefined ? topic : `${topic}[${partition}]@${offset}`;
}

function trailLines(trail: readonly TrailEntry[]): string[] {
  const rows = trail.map((entry) => {
    const { envelope } = entry.event.value;
    return [
      envelope.occurredAt.toISOString(),
      entry.event.type,
      `v${envelope.aggregateVersion}`,
      `correlation ${envelope.correlationId}`,
      position(entry),
      entry.outcome === 'rejected' ? `REJECTED ${entry.reason ?? ''}` : entry.outcome,
    ];
  });
  return columns(rows).map((line) => `    ${line}`);
}

export function formatStateAt(report: StateAtReport): string {
  const lines: string[] = [`order ${report.orderId} as of ${report.at.toISOString()} (event time)`];
  for (const answer of report.answers) {
    lines.push('', `== ${answer.source}: ${answer.readFrom}`);
    if (answer.state === null) lines.push(answer.trail.length === 0 ? '  no events by then' : '  not placed by then');
    else
      lines.push(
        ...formatOrder(parseOrderHash(answer.source, orderHashFields(answer.state)), answer.source)
          .split('\n')
          .slice(1),
      );
    lines.push(`  audit trail (${answer.trail.length} event${answer.trail.length === 1 ? '' : 's'})`, ...trailLines(answer.trail));
  }
  if (report.answers.length > 1) {
    lines.push('');
    if (report.differences.length === 0) lines.push('kafka and clickhouse agree');
    else {
      lines.push(`kafka and clickhouse DIFFER in ${report.differences.length} field(s):`);
      lines.push(
        ...columns(report.differences.map((d) => [d.field, `kafka ${d.expected ?? '(none)'}`, `clickhouse ${d.actual ?? '(none)'}`])).map((l) => `  ${l}`),
      );
    }
  }
  return lines.join('\n');
}

/** The report as JSON: states as the schema has them, trail entries flattened. */
export function stateAtJson(report: StateAtReport): unknown {
  return {
    orderId: report.orderId,
    at: report.at.toISOString(),
    sources: report.answers.map((answer) => ({
      source: answer.source,
      readFrom: answer.readFrom,
      state: answer.state,
      trail: answer.trail.map((entry) => ({
        type: entry.event.type,
        eventId: entry.event.value.envelope.eventId,
        version: entry.event.value.envelope.aggregateVersion,
        occurredAt: entry.event.value.envelope.occurredAt.toISOString(),
        correlationId: entry.event.value.envelope.correlationId,
        ...entry.source,
        outcome: entry.outcome,
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      })),
    })),
    agree: report.differences.length === 0,
    differences: report.differences,
  };
}
