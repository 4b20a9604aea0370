/**
 * What must hold after any fault, once every group reached lag 0: the
 * outputs are exactly what the input in Kafka implies. Everything is read
 * back with read_committed; the truth is computed from the input topics with
 * the pipeline's own pure functions (the aggregator's fold, the validator's
 * rules). Each check returns a verdict with enough detail to say what broke,
 * so one run reports every failing check, not only the first.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEAD_LETTER_HEADER } from '../../../lib/streaming/dead-letter';
import { AggregateEvent, foldOrder } from '../../../lib/domain/orders/fold';
import { toCustomerActivity, validateEvent } from '../../../lib/domain/validation/rules';
import type { RunSummary } from '../../../producers/loadgen/runner';
import { TOPIC } from '../../../lib/topics';
import { desiredTopics } from '../../../lib/admin/topic-plan';
import type { CustomerActivity, FraudAlert, FraudCounters, OrderState } from '../../../schemas/generated/types';
import { intColumn, selectRows, stringColumn } from '../../../sinks/clickhouse/result-values';
import { readAll, type ReadRecord as HarnessRecord } from '../../integration/support/pipeline';
import { dumpRedis, expectedRedisDump, RedisDump } from '../../integration/support/redis-dump';
import type { FaultPipeline, ServiceName } from './fault-pipeline';

export interface Verdict {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Producer of a record's batch as the broker stored it (lib/kafka gives it with each record). */
export interface BatchProducer {
  readonly producerId: string;
  readonly producerEpoch: number;
  readonly inTransaction: boolean;
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Buffer | null;
  /** CreateTime: when the producer made the record (epoch ms). */
  readonly timestamp: number;
  readonly headers: Record<string, string>;
  readonly batch: BatchProducer | undefined;
}

function batchOf(record: HarnessRecord): BatchProducer | undefined {
  const producer = record.producer;
  if (producer === undefined) return undefined;
  return { producerId: producer.id, producerEpoch: producer.epoch, inTransaction: producer.transactional };
}

/** Every committed record of a topic, in partition order; throws if it cannot be read to its end in time (e.g. a transaction left open). */
export async function readTopic(fault: FaultPipeline, topic: string, timeoutMs = 90_000): Promise<ReadRecord[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${topic} could not be read to its end within ${timeoutMs} ms (a transaction left open blocks read_committed readers)`)),
      timeoutMs,
    );
  });
  try {
    const records = await Promise.race([readAll(fault.pipeline, topic), timeout]);
    return records.map((m) => ({
      topic,
      partition: m.partition,
      offset: Number(m.offset),
      key: m.key?.toString('utf8') ?? '',
      value: m.value,
      timestamp: m.timestamp,
      headers: m.headers,
      batch: batchOf(m),
    }));
  } finally {
    clearTimeout(timer);
  }
}

async function decodeAll<T>(fault: FaultPipeline, records: readonly ReadRecord[]): Promise<Array<ReadRecord & { decoded: T | null }>> {
  const out: Array<ReadRecord & { decoded: T | null }> = [];
  for (const r of records) out.push({ ...r, decoded: r.value === null ? null : ((await fault.pipeline.codec.decode(r.topic, r.value)).value as T) });
  return out;
}

export interface InputEventRecord extends ReadRecord {
  readonly event: AggregateEvent;
}

/** Plain data for comparison: Avro-decoded records are class instances, the fold's plain objects; dates as epoch ms. */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

const sameData = (a: unknown, b: unknown) => isDeepStrictEqual(canonical(a), canonical(b));

/** Where records are, as partition offset ranges: "orders.events[2] 1200-1350 (40)". */
function locate(records: readonly ReadRecord[], prefix: string): string {
  const byPartition = new Map<string, number[]>();
  for (const r of records) {
    const key = `${r.topic.slice(prefix.length)}[${r.partition}]`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), r.offset]);
  }
  return [...byPartition].map(([key, offsets]) => `${key} ${Math.min(...offsets)}-${Math.max(...offsets)} (${offsets.length})`).join(', ');
}

function verdict(check: string, problems: readonly string[], okDetail: string): Verdict {
  return { check, ok: problems.length === 0, detail: problems.length === 0 ? okDetail : problems.join('; ') };
}

function examples<T>(items: readonly T[], n = 5): string {
  return `${items.length}${
    items.length > 0
      ? ` (e.g. ${items
          .slice(0, n)
          .map((i) => (typeof i === 'string' ? i : JSON.stringify(i)))
          .join(', ')})`
      : ''
  }`;
}

function duplicatesOf(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

const at = (e: AggregateEvent) => e.value.envelope.occurredAt.getTime();

/** The pure fold of the input as it is in Kafka: per order, its events of both topics in event-time order (the stream's order). */
export function foldInput(events: readonly InputEventRecord[]): { states: Map<string, OrderState>; rejections: number } {
  const byOrder = new Map<string, AggregateEvent[]>();
  for (const r of events) byOrder.set(r.key, [...(byOrder.get(r.key) ?? []), r.event]);
  const states = new Map<string, OrderState>();
  let rejections = 0;
  for (const [orderId, history] of byOrder) {
    history.sort((a, b) => at(a) - at(b) || (a.value.envelope.eventId < b.value.envelope.eventId ? -1 : 1));
    const fold = foldOrder(history);
    rejections += fold.rejections.length;
    if (fold.state) states.set(orderId, fold.state);
  }
  return { states, rejections };
}

function diffDumps(actual: RedisDump, expected: RedisDump): string[] {
  const missing = Object.keys(expected).filter((k) => !(k in actual));
  const extra = Object.keys(actual).filter((k) => !(k in expected));
  const different = Object.keys(expected).filter((k) => k in actual && !isDeepStrictEqual(actual[k], expected[k]));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`keys missing from Redis: ${examples(missing)}`);
  if (extra.length > 0) problems.push(`keys in Redis that should not be: ${examples(extra)}`);
  if (different.length > 0) {
    const k = different[0]!;
    problems.push(`keys with other content: ${examples(different)}; first: ${k} is ${JSON.stringify(actual[k])}, expected ${JSON.stringify(expected[k])}`);
  }
  return problems;
}

interface OrderFacts {
  readonly customerId: string;
  readonly status: string;
  readonly totalCents: number;
  readonly version: number;
  readonly paymentVersion: number;
  readonly capturedCents: number;
  readonly refundedCents: number;
}

const factsOf = (s: OrderState): OrderFacts => ({
  customerId: s.customerId,
  status: s.status,
  totalCents: s.totalCents,
  version: s.version,
  paymentVersion: s.paymentVersion,
  capturedCents: s.amountCapturedCents,
  refundedCents: s.amountRefundedCents,
});

async function clickhouseOrders(fault: FaultPipeline): Promise<Map<string, OrderFacts>> {
  const where = 'order_state FINAL';
  const rows = await selectRows(
    fault.clickhouse,
    `SELECT order_id, customer_id, status, total_cents, version, payment_version, amount_captured_cents, amount_refunded_cents FROM ${fault.database}.order_state FINAL`,
  );
  return new Map(
    rows.map((row) => [
      stringColumn(row, 'order_id', where),
      {
        customerId: stringColumn(row, 'customer_id', where),
        status: stringColumn(row, 'status', where),
        totalCents: intColumn(row, 'total_cents', where),
        version: intColumn(row, 'version', where),
        paymentVersion: intColumn(row, 'payment_version', where),
        capturedCents: intColumn(row, 'amount_captured_cents', where),
        refundedCents: intColumn(row, 'amount_refunded_cents', where),
      },
    ]),
  );
}

/** The activity fields that do not depend on when the customers table was loaded. */
function activityIdentity(a: CustomerActivity): Record<string, unknown> {
  return {
    eventId: a.eventId,
    orderId: a.orderId,
    customerId: a.customerId,
    kind: a.kind,
    amountCents: a.amountCents,
    currency: a.currency,
    cardFingerprint: a.cardFingerprint,
    paymentMethodId: a.paymentMethodId,
    cardCountry: a.cardCountry,
    occurredAt: a.occurredAt.getTime(),
    sourceTopic: a.sourceTopic,
    sourcePartition: a.sourcePartition,
    sourceOffset: a.sourceOffset,
  };
}

export interface ExactnessOptions {
  /** The services that ran: checks of outputs nobody produced are skipped. */
  readonly services: readonly ServiceName[];
  /** The load generators' summaries: what they say was acknowledged must be in Kafka, once. */
  readonly loads: readonly RunSummary[];
}

export interface ExactnessReport {
  readonly verdicts: Verdict[];
  /** Input events read back (orders.events + payments.events). */
  readonly inputEvents: number;
  readonly orders: number;
  /** The raw orders.state records, for scenario-specific checks (zombie writes). */
  readonly orderStates: readonly ReadRecord[];
}

/** Reads everything back and checks it; call after every group reached lag 0. */
export async function checkExactness(fault: FaultPipeline, options: ExactnessOptions): Promise<ExactnessReport> {
  const { topics } = fault.pipeline;
  const runs = (s: ServiceName) => options.services.includes(s);
  const verdicts: Verdict[] = [];

  // ---- the input, and the load generator's account of it
  const inputRecords = [...(await readTopic(fault, topics.orderEvents)), ...(await readTopic(fault, topics.paymentEvents))];
  const customers = await readTopic(fault, topics.customers);
  const events: InputEventRecord[] = [];
  for (const r of inputRecords) if (r.value !== null) events.push({ ...r, event: (await fault.pipeline.codec.decode(r.topic, r.value)) as AggregateEvent });
  const eventIds = events.map((e) => e.event.value.envelope.eventId);
  {
    const problems: string[] = [];
    const published = { [TOPIC.orderEvents]: 0, [TOPIC.paymentEvents]: 0, [TOPIC.customers]: 0 } as Record<string, number>;
    for (const load of options.loads) for (const [topic, n] of Object.entries(load.byTopic)) published[topic] = (published[topic] ?? 0) + n;
    const inKafka: Record<string, number> = {
      [TOPIC.orderEvents]: inputRecords.filter((r) => r.topic === topics.orderEvents).length,
      [TOPIC.paymentEvents]: inputRecords.filter((r) => r.topic === topics.paymentEvents).length,
      [TOPIC.customers]: customers.length,
    };
    for (const topic of Object.keys(inKafka)) {
      if (inKafka[topic] !== published[topic])
        problems.push(`${topic}: the load generator had ${published[topic]} acknowledged, Kafka holds ${inKafka[topic]}`);
    }
    const doubled = duplicatesOf(eventIds);
    if (doubled.length > 0) problems.push(`input events stored twice: ${examples(doubled)}`);
    verdicts.push(verdict('input: every acknowledged event in Kafka once', problems, `${events.length} events, ${customers.length} customers`));
  }

  const { states: folded, rejections } = foldInput(events);
  verdicts.push(verdict('input: the fold rejects nothing', rejections === 0 ? [] : [`the fold rejected ${rejections} events`], `${folded.size} orders folded`));

  // ---- orders.state: versions per key never repeat or go down; the last state is the fold's
  const stateRecords = await readTopic(fault, topics.orderState);
  if (runs('order-aggregator')) {
    const decoded = await decodeAll<OrderState>(fault, stateRecords);
    const previous = new Map<string, { version: number; paymentVersion: number; offset: number; partition: number }>();
    const regressions: string[] = [];
    const latest = new Map<string, OrderState | null>();
    for (const r of decoded) {
      latest.set(r.key, r.decoded);
      if (r.decoded === null) continue;
      const { version, paymentVersion } = r.decoded;
      const before = previous.get(r.key);
      // each folded event raises exactly one of the two (order events raise version, payments paymentVersion): a state
      // record that raises neither repeats one, and one that lowers either is older than the one before it
      if (
        before &&
        (version < before.version || paymentVersion < before.paymentVersion || (version === before.version && paymentVersion === before.paymentVersion))
      ) {
        regressions.push(
          `${r.key} p${r.partition}: @${before.offset} (${before.version},${before.paymentVersion}) then @${r.offset} (${version},${paymentVersion})`,
        );
      }
      previous.set(r.key, { version, paymentVersion, offset: r.offset, partition: r.partition });
    }
    verdicts.push(
      verdict(
        "orders.state: no record repeats or lowers its key's (version, paymentVersion)",
        regressions.length ? [`${examples(regressions)}`] : [],
        `${stateRecords.length} state records`,
      ),
    );
    const wrong: string[] = [];
    for (const [orderId, state] of folded) if (!sameData(latest.get(orderId), state)) wrong.push(orderId);
    const extra = [...latest.keys()].filter((k) => !folded.has(k));
    verdicts.push(
      verdict(
        "orders.state: the last state of every order is the fold's",
        [
          ...(wrong.length ? [`orders whose last state differs from the fold (or is missing): ${examples(wrong)}`] : []),
          ...(extra.length ? [`states of orders not in the input: ${examples(extra)}`] : []),
        ],
        `${latest.size} keys`,
      ),
    );
  }

  // ---- customer.activity: each valid activity event once, none lost, with its lineage
  if (runs('validator')) {
    const now = Date.now();
    const expected = new Map<string, Record<string, unknown>>();
    for (const r of events) {
      if (validateEvent(r.event, r.key, { now }).length > 0) continue;
      const activity = toCustomerActivity(r.event, undefined, { topic: r.topic, partition: r.partition, offset: String(r.offset) });
      if (activity) expected.set(activity.eventId, activityIdentity(activity));
    }
    const activities = await decodeAll<CustomerActivity>(fault, await readTopic(fault, topics.customerActivity));
    const ids = activities.flatMap((a) => (a.decoded ? [a.decoded.eventId] : []));
    const doubled = duplicatesOf(ids);
    const found = new Map(activities.flatMap((a) => (a.decoded ? [[a.decoded.eventId, activityIdentity(a.decoded)] as const] : [])));
    const lost = [...expected.keys()].filter((id) => !found.has(id));
    const unexpected = [...found.keys()].filter((id) => !expected.has(id));
    const altered = [...expected].filter(([id, e]) => found.has(id) && !sameData(found.get(id), e)).map(([id]) => id);
    const problems: string[] = [];
    if (doubled.length) {
      // where each copy sits and which producer wrote it, to tell a replay after an unknown commit from a zombie
      const copies = (id: string) =>
        activities
          .filter((a) => a.decoded?.eventId === id)
          .map(
            (a) =>
              `[${a.partition}]@${a.offset} ${new Date(a.timestamp).toISOString()} producer ${a.batch?.producerId}/${a.batch?.producerEpoch} from ${a.decoded?.sourcePartition}@${a.decoded?.sourceOffset}`,
          )
          .join(' and ');
      problems.push(
        `activities of the same source event appear more than once: ${examples(doubled)} (${ids.length} records for ${found.size} events); copies: ${doubled.slice(0, 3).map(copies).join('; ')}`,
      );
    }
    if (lost.length) problems.push(`activities lost: ${examples(lost)}`);
    if (unexpected.length) problems.push(`activities with no valid source event: ${examples(unexpected)}`);
    if (altered.length) problems.push(`activities whose content or lineage differ from their source: ${examples(altered)}`);
    verdicts.push(verdict('customer.activity: every valid activity event exactly once', problems, `${ids.length} activities`));
  }

  // ---- fraud: no alert twice; Redis gets the detector's latest counters and its alerts
  const counters = new Map<string, FraudCounters>();
  const alerts: FraudAlert[] = [];
  if (runs('fraud-detector')) {
    for (const r of await decodeAll<FraudCounters>(fault, await readTopic(fault, topics.fraudCounters))) {
      if (r.decoded === null) counters.delete(r.key);
      else counters.set(r.key, r.decoded);
    }
    for (const r of await decodeAll<FraudAlert>(fault, await readTopic(fault, topics.fraudAlerts))) if (r.decoded) alerts.push(r.decoded);
    const doubled = duplicatesOf(alerts.map((a) => a.alertId));
    verdicts.push(
      verdict('fraud.alerts: no alertId twice', doubled.length ? [`alerts raised more than once: ${examples(doubled)}`] : [], `${alerts.length} alerts`),
    );
  }
  const distinctAlerts = [...new Map(alerts.map((a) => [a.alertId, a])).values()];

  // ---- dead letters: no source record dead-lettered twice by the same processor
  {
    const problems: string[] = [];
    let total = 0;
    for (const topic of desiredTopics(undefined, { prefix: fault.prefix }).filter((t) => t.deadLetterOf !== undefined)) {
      const records = await readTopic(fault, topic.name);
      total += records.length;
      const ids = records.map((r) =>
        [
          r.headers[DEAD_LETTER_HEADER.processor],
          r.headers[DEAD_LETTER_HEADER.sourceTopic],
          r.headers[DEAD_LETTER_HEADER.sourcePartition],
          r.headers[DEAD_LETTER_HEADER.sourceOffset],
        ].join('/'),
      );
      const doubled = duplicatesOf(ids);
      if (doubled.length) problems.push(`${topic.name}: dead-lettered more than once: ${examples(doubled)}`);
    }
    verdicts.push(verdict('dead letters: no record dead-lettered twice', problems, `${total} dead letters`));
  }

  // ---- Redis: exactly the fold's orders, the detector's counters and alerts
  if (runs('redis-sink')) {
    const actual = await dumpRedis(fault.redis, fault.redisPrefix);
    const expected = expectedRedisDump(fault.redisPrefix, { orders: folded, counters, alerts: distinctAlerts });
    verdicts.push(verdict('Redis: equals the fold of the input (and the fraud topics)', diffDumps(actual, expected), `${Object.keys(actual).length} keys`));
  }

  // ---- ClickHouse: order_state FINAL is the fold; events holds each input event once; alerts once each
  if (runs('clickhouse-sink')) {
    const actual = await clickhouseOrders(fault);
    const wrong: string[] = [];
    for (const [orderId, state] of folded) if (!isDeepStrictEqual(actual.get(orderId), factsOf(state))) wrong.push(orderId);
    const extra = [...actual.keys()].filter((k) => !folded.has(k));
    const first = wrong[0];
    verdicts.push(
      verdict(
        'ClickHouse order_state FINAL: equals the fold, every order present',
        [
          ...(wrong.length
            ? [
                `orders missing or different: ${examples(wrong)}${first ? `; first: ${JSON.stringify(actual.get(first) ?? null)} vs fold ${JSON.stringify(factsOf(folded.get(first)!))}` : ''}`,
              ]
            : []),
          ...(extra.length ? [`orders not in the input: ${examples(extra)}`] : []),
        ],
        `${actual.size} orders`,
      ),
    );
    const rows = await selectRows(fault.clickhouse, `SELECT event_id FROM ${fault.database}.events FINAL`);
    const stored = rows.map((row) => stringColumn(row, 'event_id', 'events FINAL'));
    const storedSet = new Set(stored);
    const inputSet = new Set(eventIds);
    const missing = [...inputSet].filter((id) => !storedSet.has(id));
    const extraEvents = [...storedSet].filter((id) => !inputSet.has(id));
    const doubled = duplicatesOf(stored);
    verdicts.push(
      verdict(
        'ClickHouse events FINAL: each input event exactly once',
        [
          ...(missing.length
            ? [
                `events missing: ${examples(missing)}, at ${locate(
                  events.filter((e) => !storedSet.has(e.event.value.envelope.eventId)),
                  fault.prefix,
                )}`,
              ]
            : []),
          ...(extraEvents.length ? [`events not in the input: ${examples(extraEvents)}`] : []),
          ...(doubled.length ? [`events twice after FINAL: ${examples(doubled)}`] : []),
        ],
        `${stored.length} events`,
      ),
    );
    if (runs('fraud-detector')) {
      const alertRows = await selectRows(fault.clickhouse, `SELECT alert_id FROM ${fault.database}.fraud_alerts FINAL`);
      const storedAlerts = alertRows.map((row) => stringColumn(row, 'alert_id', 'fraud_alerts FINAL')).sort();
      const expectedAlerts = distinctAlerts.map((a) => a.alertId).sort();
      verdicts.push(
        verdict(
          'ClickHouse fraud_alerts FINAL: each alert once',
          isDeepStrictEqual(storedAlerts, expectedAlerts)
            ? []
            : [`ClickHouse has ${storedAlerts.length} alert rows, fraud.alerts ${expectedAlerts.length} distinct alerts`],
          `${storedAlerts.length} alerts`,
        ),
      );
    }
  }

  return { verdicts, inputEvents: events.length, orders: folded.size, orderStates: stateRecords };
}

/** One line per verdict, failures first, for the scenario's report. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  return [...verdicts]
    .sort((a, b) => Number(a.ok) - Number(b.ok))
    .map((v) => `${v.ok ? 'PASS' : 'FAIL'} ${v.check}: ${v.detail}`)
    .join('\n');
}
