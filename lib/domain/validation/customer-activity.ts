/**
 * Maps a valid order or payment event to the CustomerActivity the validator
 * forwards to customer.activity, re-keyed by customerId and enriched with
 * the customer's profile. Pure: the caller looks the profile up in the
 * customers table and passes the record's coordinates for lineage.
 */
import type { ActivityKind, CustomerActivity, CustomerProfile } from '../../../schemas/generated/types';
import type { InputEvent, InputEventType } from './input-event';

/**
 * Which events are customer activity, declared once; the mapped type makes
 * a new event type without a decision here a compile error. Line changes and
 * fulfilment (added, removed, confirmed, shipped, delivered) are the
 * merchant's and the carrier's doing and carry no amount or card: no
 * activity.
 */
export const ACTIVITY_KINDS: { readonly [T in InputEventType]: ActivityKind | null } = {
  OrderPlaced: 'ORDER_PLACED',
  OrderItemAdded: null,
  OrderItemRemoved: null,
  OrderConfirmed: null,
  OrderShipped: null,
  OrderDelivered: null,
  OrderCancelled: 'ORDER_CANCELLED',
  PaymentAuthorized: 'PAYMENT_AUTHORIZED',
  PaymentDeclined: 'PAYMENT_DECLINED',
  PaymentCaptured: 'PAYMENT_CAPTURED',
  RefundIssued: 'REFUND_ISSUED',
};

/** Where the source event was read; an InputRecord of the runtime fits as is. */
export interface ActivitySource {
  readonly topic: string;
  readonly partition: number;
  /** The runtime hands offsets over as decimal text (InputRecord); the activity stores a long. */
  readonly offset: string;
}

/**
 * The customer an event is about: from the record for OrderPlaced,
 * PaymentAuthorized and PaymentDeclined. OrderCancelled, PaymentCaptured and
 * RefundIssued only imply one through their order, which a stateless
 * validator does not know: they are activity only when the caller resolved
 * the order's customer (`orderCustomerId`, e.g. from an orders.state table).
 * Null when the event is not activity or its customer is unknown.
 */
export function activityCustomerId(event: InputEvent, orderCustomerId?: string): string | null {
  if (ACTIVITY_KINDS[event.type] === null) return null;
  switch (event.type) {
    case 'OrderPlaced':
    case 'PaymentAuthorized':
    case 'PaymentDeclined':
      return event.value.customerId;
    default:
      return orderCustomerId ?? null;
  }
}

type Details = Pick<CustomerActivity, 'amountCents' | 'currency' | 'cardFingerprint' | 'paymentMethodId' | 'cardCountry'>;

const NO_CARD = { cardFingerprint: null, paymentMethodId: null, cardCountry: null } as const;

function details(event: InputEvent): Details {
  switch (event.type) {
    case 'OrderPlaced':
      return { amountCents: event.value.totalCents, currency: event.value.currency, ...NO_CARD };
    case 'PaymentAuthorized':
    case 'PaymentDeclined': {
      const { amountCents, currency, cardFingerprint, paymentMethodId, country } = event.value;
      // PaymentDeclined.country is '' when the provider did not say: null says "unknown" in one way only.
      return { amountCents, currency, cardFingerprint, paymentMethodId, cardCountry: country === '' ? null : country };
    }
    case 'PaymentCaptured':
    case 'RefundIssued':
      return { amountCents: event.value.amountCents, currency: event.value.currency, ...NO_CARD };
    default:
      // OrderCancelled (and the types that are no activity): no amount.
      return { amountCents: 0, currency: '', ...NO_CARD };
  }
}

function sourceOffset(offset: string): number {
  const value = Number(offset);
  if (offset.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`toCustomerActivity: source offset ${JSON.stringify(offset)} is not a non-negative safe integer`);
  }
  return value;
}

/**
 * The activity of a valid event, or null when the event is no customer
 * activity (see ACTIVITY_KINDS and activityCustomerId). `profile` is the
 * customers table's value for the customer, undefined when unknown or erased.
 */
export function toCustomerActivity(
  event: InputEvent,
  profile: CustomerProfile | undefined,
  source: ActivitySource,
  orderCustomerId?: string,
): CustomerActivity | null {
  const kind = ACTIVITY_KINDS[event.type];
  const customerId = activityCustomerId(event, orderCustomerId);
  if (kind === null || customerId === null) return null;
  // Enriching with another customer's profile would be silently wrong data: a caller bug, so fail loudly.
  if (profile !== undefined && profile.customerId !== customerId) {
    throw new Error(`toCustomerActivity: profile of customer ${profile.customerId} given for an event of customer ${customerId}`);
  }
  const { envelope } = event.value;
  return {
    eventId: envelope.eventId,
    orderId: envelope.aggregateId,
    customerId,
    kind,
    ...details(event),
    occurredAt: new Date(envelope.occurredAt.getTime()),
    customerKnown: profile !== undefined,
    customerCountry: profile?.country ?? null,
    customerSegment: profile?.segment ?? null,
    sourceTopic: source.topic,
    sourcePartition: source.partition,
    sourceOffset: sourceOffset(source.offset),
  };
}
