/**
 * One order's whole lifecycle as generated events, on orders.events and
 * payments.events:
 *
 *   placed → lines added/removed → payment declined (retried or given up)
 *   → authorized → captured → confirmed → shipped → delivered (→ item returned)
 *
 * with cancellations decided up front: by the customer before shipment, by
 * the merchant after confirmation, by fraud operations in fraud patterns, or
 * by the system when payment is given up. A cancelled order whose payment was
 * captured is refunded.
 */
import { orderTotalCents } from '../../lib/domain/order-total';
import type { OrderItem } from '../../schemas/generated/types';
import { CANCELLED_BY, CARRIERS, DECLINE_REASONS, PRODUCERS } from './catalog';
import { applyChange, randomChange, randomLines } from './cart';
import type { Card, Customer } from './customers';
import { FlowBuilder } from './flow-builder';
import type { LoadgenOptions } from './options';
import type { Random } from './random';
import type { GeneratedRecord } from './record';

export interface FlowInput {
  readonly orderId: string;
  readonly customer: Customer;
  readonly startMs: number;
  /** Initial lines instead of random ones; the lines then never change (large-amount pattern). */
  readonly lines?: readonly OrderItem[];
  /** The card of every payment attempt instead of the customer's own (many-cards pattern). */
  readonly card?: Card;
  /** Declines before the payment's outcome, all within windowMs (repeated-declines pattern). */
  readonly declines?: { readonly count: number; readonly windowMs: number };
  /** Chance that fraud operations cancel the order (fraud patterns). */
  readonly fraudCancelRate?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** [min, max) of the event-time delay before each step, before lifecycleTimeScale. */
const DELAYS = {
  itemChange: [20_000, 10 * MINUTE],
  paymentAttempt: [5_000, MINUTE],
  retryAfterDecline: [30_000, 5 * MINUTE],
  giveUpAfterDecline: [MINUTE, 15 * MINUTE],
  capture: [1_000, 20_000],
  confirm: [5_000, 2 * MINUTE],
  cancelBeforePayment: [MINUTE, 30 * MINUTE],
  cancelAfterAuthorization: [MINUTE, 20 * MINUTE],
  cancelAfterConfirmation: [10 * MINUTE, 3 * HOUR],
  refundAfterCancel: [MINUTE, 2 * HOUR],
  ship: [2 * HOUR, 36 * HOUR],
  deliver: [12 * HOUR, 4 * DAY],
  itemReturn: [2 * DAY, 14 * DAY],
} as const satisfies Record<string, readonly [number, number]>;

/** Payment attempts of an ordinary order before the customer stops trying. */
const MAX_ATTEMPTS = 3;
/** Chance that a repeated-declines order ends up authorized rather than given up. */
const AUTHORIZED_AFTER_REPEATED_DECLINES = 0.5;

type CancelPoint = 'beforePayment' | 'afterAuthorization' | 'afterConfirmation';

interface Cancellation {
  readonly at: CancelPoint;
  readonly cancelledBy: string;
  readonly reason: string;
  readonly producer: string;
}

const CUSTOMER_REASONS = ['changed my mind', 'found a better price', 'ordered by mistake', 'delivery too slow'];

function planCancellation(random: Random, options: LoadgenOptions, fraudCancelRate: number): Cancellation | null {
  if (random.chance(fraudCancelRate)) {
    const at = random.pick<CancelPoint>(['afterAuthorization', 'afterConfirmation']);
    return { at, cancelledBy: CANCELLED_BY.fraud, reason: 'suspected fraud', producer: PRODUCERS.fraudOps };
  }
  if (random.chance(options.rates.customerCancel)) {
    const at = random.pick<CancelPoint>(['beforePayment', 'afterAuthorization', 'afterConfirmation']);
    return { at, cancelledBy: CANCELLED_BY.customer, reason: random.pick(CUSTOMER_REASONS), producer: PRODUCERS.checkout };
  }
  if (random.chance(options.rates.merchantCancel)) {
    return { at: 'afterConfirmation', cancelledBy: CANCELLED_BY.merchant, reason: 'out of stock', producer: PRODUCERS.orders };
  }
  return null;
}

function trackingNumber(random: Random, prefix: string): string {
  return `${prefix}${String(random.int(0, 999_999_999)).padStart(9, '0')}${String(random.int(0, 999_999)).padStart(6, '0')}`;
}

class OrderFlow {
  private readonly b: FlowBuilder;
  private lines: OrderItem[];
  private readonly cards: readonly Card[];

  constructor(
    private readonly random: Random,
    private readonly options: LoadgenOptions,
    private readonly input: FlowInput,
    correlationId: string,
  ) {
    this.b = new FlowBuilder(random, input.orderId, input.startMs, correlationId);
    this.lines = input.lines === undefined ? randomLines(random) : input.lines.map((line) => ({ ...line }));
    this.cards = input.card === undefined ? input.customer.cards : [input.card];
  }

  private wait(step: keyof typeof DELAYS): void {
    const [min, max] = DELAYS[step];
    this.b.advance(this.random.between(min, max) * this.options.lifecycleTimeScale);
  }

  private get total(): number {
    return orderTotalCents(this.lines);
  }

  private get currency(): string {
    return this.input.customer.country.currency;
  }

  run(): GeneratedRecord[] {
    const { random, b, input } = this;
    const cancellation = planCancellation(random, this.options, input.fraudCancelRate ?? 0);
    b.order('OrderPlaced', PRODUCERS.checkout, {
      customerId: input.customer.profile.customerId,
      items: this.lines.map((line) => ({ ...line })),
      totalCents: this.total,
      currency: this.currency,
    });
    if (input.lines === undefined && random.chance(this.options.rates.itemChange)) this.changeLines();
    if (cancellation?.at === 'beforePayment') return this.cancel(cancellation, 'cancelBeforePayment', false);
    if (!this.pay()) {
      this.wait('giveUpAfterDecline');
      b.order('OrderCancelled', PRODUCERS.orders, { reason: 'payment declined', cancelledBy: CANCELLED_BY.system });
      return b.records;
    }
    if (cancellation?.at === 'afterAuthorization') return this.cancel(cancellation, 'cancelAfterAuthorization', false);
    this.wait('capture');
    b.payment('PaymentCaptured', PRODUCERS.payments, { amountCents: this.total, currency: this.currency });
    this.wait('confirm');
    b.order('OrderConfirmed', PRODUCERS.orders, {});
    if (cancellation?.at === 'afterConfirmation') return this.cancel(cancellation, 'cancelAfterConfirmation', true);
    this.wait('ship');
    const carrier = random.pick(CARRIERS);
    b.order('OrderShipped', PRODUCERS.fulfillment, {
      carrier: carrier.name,
      trackingNumber: trackingNumber(random, carrier.trackingPrefix),
    });
    this.wait('deliver');
    b.order('OrderDelivered', PRODUCERS.fulfillment, {});
    if (random.chance(this.options.rates.itemReturn)) {
      this.wait('itemReturn');
      const line = random.pick(this.lines);
      b.payment('RefundIssued', PRODUCERS.payments, { amountCents: line.unitPriceCents, currency: this.currency, reason: 'item returned' });
    }
    return b.records;
  }

  /** Lines change only here, before any payment: a confirmed order's lines are fixed. */
  private changeLines(): void {
    const changes = this.random.int(1, 3);
    for (let i = 0; i < changes; i++) {
      this.wait('itemChange');
      const change = randomChange(this.random, this.lines);
      this.lines = applyChange(this.lines, change);
      if (change.kind === 'add') this.b.order('OrderItemAdded', PRODUCERS.checkout, { item: change.item });
      else this.b.order('OrderItemRemoved', PRODUCERS.checkout, { sku: change.sku, quantity: change.quantity });
    }
  }

  private decline(card: Card): void {
    this.b.payment('PaymentDeclined', PRODUCERS.payments, {
      customerId: this.input.customer.profile.customerId,
      paymentMethodId: card.paymentMethodId,
      cardFingerprint: card.cardFingerprint,
      amountCents: this.total,
      currency: this.currency,
      country: card.country,
      reason: this.random.pick(DECLINE_REASONS),
    });
  }

  /** Payment attempts until authorized (true) or given up (false). */
  private pay(): boolean {
    const { random, b, input } = this;
    let card = random.pick(this.cards);
    this.wait('paymentAttempt');
    if (input.declines !== undefined) {
      // Spaced so that all `count` declines fall within the window.
      const maxGap = Math.max(1, Math.floor((input.declines.windowMs - 1) / input.declines.count));
      for (let i = 0; i < input.declines.count; i++) {
        if (i > 0) b.advance(random.int(1, maxGap));
        this.decline(random.pick(this.cards));
      }
      if (!random.chance(AUTHORIZED_AFTER_REPEATED_DECLINES)) return false;
      b.advance(random.int(1, maxGap));
    } else {
      for (let attempt = 1; random.chance(this.options.rates.decline); attempt++) {
        this.decline(card);
        if (attempt >= MAX_ATTEMPTS || !random.chance(this.options.rates.retryAfterDecline)) return false;
        this.wait('retryAfterDecline');
        card = random.pick(this.cards);
      }
    }
    b.payment('PaymentAuthorized', PRODUCERS.payments, {
      customerId: input.customer.profile.customerId,
      paymentMethodId: card.paymentMethodId,
      cardFingerprint: card.cardFingerprint,
      amountCents: this.total,
      currency: this.currency,
      country: card.country,
    });
    return true;
  }

  private cancel(cancellation: Cancellation, delay: keyof typeof DELAYS, captured: boolean): GeneratedRecord[] {
    this.wait(delay);
    this.b.order('OrderCancelled', cancellation.producer, { reason: cancellation.reason, cancelledBy: cancellation.cancelledBy });
    if (captured) {
      this.wait('refundAfterCancel');
      this.b.payment('RefundIssued', PRODUCERS.payments, { amountCents: this.total, currency: this.currency, reason: 'order cancelled' });
    }
    return this.b.records;
  }
}

/** The events of one order, in event-time order. */
export function buildOrderFlow(random: Random, options: LoadgenOptions, input: FlowInput): GeneratedRecord[] {
  return new OrderFlow(random, options, input, random.uuid()).run();
}
