/**
 * scripts/state-at on real services: generated orders through the order
 * aggregator and the ClickHouse sink; at several instants, the state read
 * from the log and from ClickHouse is the pure fold of the order's events up
 * to that instant, with the trail of those events; before its first event an
 * order is unknown; and --lateness bounds the log read by append time
 * (offsets-for-times), leaving out an event appended later.
 */
import { AggregateEvent, foldOrder } from '../../lib/domain/orders/fold';
import type { GeneratedRecord } from '../../producers/loadgen/lifecycle';
import type { OrderState } from '../../schemas/generated/types';
import { produce } from './support/pipeline';
import { runScript, ScriptResult } from './support/run-script';
import { generatedOrders, projectionCaughtUp, ProjectionPipeline, startProjection, toTopics } from './support/projection-pipeline';

const records = generatedOrders(71, 20);
const byOrder = new Map<string, GeneratedRecord[]>();
for (const record of records) byOrder.set(record.key, [...(byOrder.get(record.key) ?? []), record]);
// The orders with the longest histories; the first one's last event is appended later than the rest.
const [longest, second] = [...byOrder.values()].sort((a, b) => b.length - a.length);
const heldBack = longest!.at(-1)!;
const occurred = (r: GeneratedRecord) => r.event.value.envelope.occurredAt.getTime();

let projection: ProjectionPipeline;
/** Wall-clock instant between the two appends. */
let between: number;

beforeAll(async () => {
  projection = await startProjection('state-at');
  const { pipeline } = projection;
  await produce(
    pipeline,
    toTopics(
      pipeline,
      records.filter((r) => r !== heldBack),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  between = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await produce(pipeline, toTopics(pipeline, [heldBack]));
  await projectionCaughtUp(projection);
}, 240_000);

interface TrailJson {
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly topic: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly outcome: string;
}
interface StateAtJson {
  readonly agree: boolean;
  readonly sources: Array<{ source: string; readFrom: string; state: unknown; trail: TrailJson[] }>;
}

async function stateAt(orderId: string, at: string | number, args: readonly string[] = []): Promise<{ run: ScriptResult; report: StateAtJson }> {
  const run = await runScript('state-at', [orderId, '--at', String(at), '--json', ...args], projection.env);
  if (run.stdout === '') throw new Error(`scripts/state-at printed nothing (exit ${run.code}): ${run.stderr}`);
  return { run, report: JSON.parse(run.stdout) as StateAtJson };
}

/** The pure fold of the order's events that occurred at or before `at`, as JSON prints it. */
function foldUpTo(history: readonly GeneratedRecord[], at: number): { state: unknown; trail: Array<Pick<TrailJson, 'type' | 'version' | 'correlationId'>> } {
  const upTo = history.filter((r) => occurred(r) <= at);
  const { state } = foldOrder(upTo.map((r) => r.event as AggregateEvent));
  return {
    state: JSON.parse(JSON.stringify(state)) as OrderState,
    trail: upTo.map((r) => ({ type: r.event.type, version: r.event.value.envelope.aggregateVersion, correlationId: r.event.value.envelope.correlationId })),
  };
}

test('at several instants, both sources give the pure fold of the events up to then, and its audit trail', async () => {
  const cases: Array<[GeneratedRecord[], number]> = [
    ...longest!.map((r) => [longest!, occurred(r)] as [GeneratedRecord[], number]),
    [longest!, occurred(longest![1]!) - 1],
    [second!, occurred(second![0]!)],
    [second!, occurred(second!.at(-1)!) + 60_000],
  ];
  expect(longest!.length).toBeGreaterThanOrEqual(4);
  for (const [history, at] of cases) {
    const orderId = history[0]!.key;
    const { run, report } = await stateAt(orderId, new Date(at).toISOString());
    const expected = foldUpTo(history, at);
    expect(run.code).toBe(0);
    expect(report.agree).toBe(true);
    expect(report.sources.map((s) => s.source)).toEqual(['kafka', 'clickhouse']);
    for (const source of report.sources) {
      expect({ source: source.source, at, state: source.state }).toEqual({ source: source.source, at, state: expected.state });
      expect(source.trail.map(({ type, version, correlationId }) => ({ type, version, correlationId }))).toEqual(expected.trail);
      expect(source.trail.every((entry) => entry.outcome === 'applied')).toBe(true);
    }
    // the log's trail gives each event's position
    expect(report.sources[0]!.trail.every((entry) => entry.partition !== undefined && entry.offset !== undefined)).toBe(true);
  }
});

test('an order before its first event, or an unknown id: exit 1 and "no events for order … at or before …"', async () => {
  const orderId = second![0]!.key;
  const before = await runScript('state-at', [orderId, '--at', String(occurred(second![0]!) - 1)], projection.env);
  expect(before.code).toBe(1);
  expect(before.stderr).toContain(`no events for order ${orderId} at or before ${new Date(occurred(second![0]!) - 1).toISOString()}`);
  const notATime = await runScript('state-at', ['no-such-order', '--at', 'yesterday'], projection.env);
  expect(notATime.code).toBe(2); // a usage error, not an unknown order
  const missing = await runScript('state-at', ['no-such-order', '--at', String(Date.now()), '--source', 'kafka'], projection.env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('no events for order no-such-order');
});

test('--lateness bounds the log read by append time: an event appended after --at plus the lateness is left out', async () => {
  const orderId = heldBack.key;
  expect(occurred(heldBack)).toBeLessThan(between); // it occurred before the instant, but was appended after it

  const bounded = await stateAt(orderId, between, ['--source', 'kafka', '--lateness', '0']);
  expect(bounded.run.code).toBe(0);
  expect(bounded.report.sources[0]!.state).toEqual(foldUpTo(longest!.slice(0, -1), between).state);
  expect(bounded.report.sources[0]!.readFrom).toMatch(/up to offset \d+/);

  const whole = await stateAt(orderId, between, ['--source', 'kafka']);
  expect(whole.report.sources[0]!.state).toEqual(foldUpTo(longest!, between).state);
  expect(whole.report.sources[0]!.state).not.toEqual(bounded.report.sources[0]!.state);
});
