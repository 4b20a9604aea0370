/**
 * Writes one order's events in lifecycle order, keeping the envelope
 * invariants in one place: contiguous aggregateVersion per order on each
 * topic, strictly increasing occurredAt across both topics, one
 * correlationId per order flow, and causationId pointing at the previous
 * event of the flow.
 */
import { TOPIC } from '../../lib/topics';
import type { Envelope, OrderEvent, PaymentEvent, RecordTypes } from '../../schemas/generated/types';
import type { GeneratedRecord } from './record';
import type { Random } from './random';

type OrderType = OrderEvent['type'];
type PaymentType = PaymentEvent['type'];
type Body<T extends keyof RecordTypes> = Omit<RecordTypes[T], 'envelope'>;

export class FlowBuilder {
  readonly records: GeneratedRecord[] = [];
  private orderVersion = 0;
  private paymentVersion = 0;
  private previousEventId: string | null = null;
  private time: number;

  constructor(
    private readonly random: Random,
    readonly orderId: string,
    startMs: number,
    private readonly correlationId: string,
  ) {
    this.time = startMs;
  }

  /** Event time of the last event written (the start before any). */
  get now(): number {
    return this.time;
  }

  /**
   * Moves the clock on. At least 1 ms, so a flow's events never share a
   * timestamp and their event-time order is their causal order.
   */
  advance(ms: number): void {
    this.time += Math.max(1, Math.round(ms));
  }

  private envelope(version: number, producer: string): Envelope {
    const eventId = this.random.uuid();
    const envelope: Envelope = {
      eventId,
      aggregateId: this.orderId,
      aggregateVersion: version,
      occurredAt: new Date(this.time),
      correlationId: this.correlationId,
      causationId: this.previousEventId,
      producer,
    };
    this.previousEventId = eventId;
    return envelope;
  }

  order<T extends OrderType>(type: T, producer: string, body: Body<T>): void {
    const value = { envelope: this.envelope(++this.orderVersion, producer), ...body };
    // TypeScript cannot tie the generic tag to its member of the union; the
    // signature already ties `body` to `type`.
    const event = { type, value } as unknown as OrderEvent;
    this.records.push({ topic: TOPIC.orderEvents, key: this.orderId, event });
  }

  payment<T extends PaymentType>(type: T, producer: string, body: Body<T>): void {
    const value = { envelope: this.envelope(++this.paymentVersion, producer), ...body };
    const event = { type, value } as unknown as PaymentEvent;
    this.records.push({ topic: TOPIC.paymentEvents, key: this.orderId, event });
  }
}
