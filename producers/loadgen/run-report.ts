/** How the load generator runner shows its plan, progress and summary to a person. */
import { columns } from '../../lib/cli/cli';
import type { RunPlan, RunProgress, RunSummary } from './runner';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function describePlan(plan: RunPlan): string {
  const what = [
    plan.orders !== null ? `${int(plan.orders)} orders (~${int(plan.estimatedEvents ?? 0)} events)` : null,
    plan.durationMs !== null ? `for ${formatDuration(plan.durationMs)}` : null,
    plan.rate !== null ? `at ${int(plan.rate)} events/s` : 'as fast as possible',
  ]
    .filter((part) => part !== null)
    .join(' ');
  const time = {
    live: `event time follows the clock from ${plan.startTime.toISOString()}`,
    'ends-now': `event time from ${plan.startTime.toISOString()}, ending about now`,
    fixed: `event time from ${plan.startTime.toISOString()} (fixed)`,
  }[plan.mode];
  return `loadgen: ${what}; seed ${plan.seed}, ${int(plan.customers)} customers, fraud ${plan.fraud ? 'on' : 'off'}; ${time}; an order every ${plan.meanOrderIntervalMs.toFixed(2)} ms, lifecycle scale ${plan.lifecycleTimeScale.toPrecision(3)}`;
}

export function formatProgress(progress: RunProgress): string {
  const parts = [`${int(progress.published)} events`];
  if (progress.fraction !== null) parts.push(`${(progress.fraction * 100).toFixed(0)}%`);
  parts.push(`${int(progress.rate)}/s`, `elapsed ${formatDuration(progress.elapsedMs)}`);
  if (progress.etaMs !== null) parts.push(`ETA ${formatDuration(progress.etaMs)}`);
  if (progress.waitingForEventTime) parts.push('waiting for event time');
  return parts.join(' · ');
}

export function renderSummary(summary: RunSummary): string {
  const reason = { orders: 'all orders published', duration: 'duration reached', signal: 'stopped by a signal' }[summary.stoppedBy];
  const lines = [
    `published ${int(summary.events)} events (${int(summary.orders)} orders) in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${int(summary.eventsPerSecond)} events/s${summary.targetRate !== null ? ` (target ${int(summary.targetRate)})` : ''}; ${reason}`,
    `event time ${summary.firstEventAt ?? '-'} → ${summary.lastEventAt ?? '-'}`,
    '',
    ...columns([
      ['topic', 'events'],
      ...Object.entries(summary.byTopic)
        .sort()
        .map(([topic, n]) => [topic, int(n)]),
    ]),
    '',
    ...columns([
      ['type', 'events'],
      ...Object.entries(summary.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, n]) => [type, int(n)]),
    ]),
  ];
  return lines.join('\n');
}
