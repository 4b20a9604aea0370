/**
 * The load generator: a deterministic, endless-if-asked stream of realistic
 * events from a seed. Customers first (one CustomerProfile each), then orders
 * placed as a Poisson process whose lifecycles (order-flow.ts) and injected
 * fraud patterns (fraud-patterns.ts) interleave, all in one global event-time
 * order, so a publisher can stream it at a target rate for a duration or a
 * count:
 *
 *   for (const record of generateLifecycles({ seed: 7, orders: 1000 })) publish(record);
 *
 * Lazy: a flow's events are generated when the flow starts and held until
 * their time comes, so memory grows with the flows in progress (order rate ×
 * lifecycle length; see lifecycleTimeScale), not with the stream's length.
 */
import { TOPIC } from '../../lib/topics';
import { Customer, generateCustomer } from './customers';
import { EventQueue } from './event-queue';
import { patternSize, pickPattern, planPattern } from './fraud-patterns';
import { FlowInput, buildOrderFlow } from './order-flow';
import { LoadgenOptions, LoadgenOverrides, resolveLoadgenOptions } from './options';
import { Random } from './random';
import { GeneratedRecord, occurredAtMs } from './record';

export type { GeneratedRecord, GeneratedTopic } from './record';
export { DEFAULT_LOADGEN_OPTIONS, FRAUD_PATTERNS, LoadgenOptionsError, NO_FRAUD, resolveLoadgenOptions } from './options';
export type { FraudOptions, FraudPattern, LifecycleRates, LoadgenOptions, LoadgenOverrides } from './options';

/** The flows starting at `startMs`: a fraud pattern's orders, or one ordinary order. */
function planFlows(random: Random, options: LoadgenOptions, customers: readonly Customer[], startMs: number, remaining: number): FlowInput[] {
  const pattern = pickPattern(random, options);
  // A pattern that does not fit in the orders left becomes an ordinary order,
  // so the stream has exactly `orders` orders and no truncated pattern.
  if (pattern !== null && patternSize(options, pattern) <= remaining) {
    return planPattern(random, options, pattern, customers, startMs);
  }
  return [{ orderId: random.uuid(), customer: random.pick(customers), startMs }];
}

export function* generateLifecycles(overrides: LoadgenOverrides = {}): Generator<GeneratedRecord, void, undefined> {
  const options = resolveLoadgenOptions(overrides);
  const random = new Random(options.seed);
  const runTag = random.hex(4);
  const startMs = options.startTime.getTime();

  const customers: Customer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const customer = generateCustomer(random, i, runTag, startMs);
    customers.push(customer);
    yield { topic: TOPIC.customers, key: customer.profile.customerId, event: { type: 'CustomerProfile', value: customer.profile } };
  }

  const queue = new EventQueue<GeneratedRecord>();
  let clock = startMs;
  let planned = 0;
  while (planned < options.orders) {
    clock += random.exponential(options.meanOrderIntervalMs);
    const flowStart = Math.round(clock);
    // Every flow not yet generated starts at or after flowStart, and a flow's
    // events never precede its start: what is queued up to flowStart is final.
    yield* queue.drainUntil(flowStart);
    const flows = planFlows(random, options, customers, flowStart, options.orders - planned);
    planned += flows.length;
    for (const flow of flows) {
      for (const record of buildOrderFlow(random, options, flow)) queue.push(occurredAtMs(record), record);
    }
  }
  yield* queue.drainAll();
}
