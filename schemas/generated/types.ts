/*
 * GENERATED FILE, DO NOT EDIT. Source: the .avsc files under schemas/ and
 * the topic → records list in schemas/catalog.ts.
 * Regenerate: npx tsx scripts/gen-types.ts   Check: npx tsx scripts/gen-types.ts --check
 *
 * Types describe values as avsc decodes them with the project's options
 * (lib/avro/options.ts):
 * - long, int, float, double → number (avsc refuses longs beyond 2^53);
 * - timestamp-millis → Date (encoding also accepts epoch millis or an
 *   ISO-8601 string with a zone, but decoding always gives a Date);
 * - enum → union of its symbols as string literals;
 * - ["null", T] → T | null (unions are never wrapped);
 * - array → readonly T[], nested record → its interface;
 * - fields with a default are still required here: a decoded value always
 *   has them (avsc fills the default when encoding a value that lacks one).
 *
 * Telling records of one topic apart: several record types share a topic,
 * and an Avro value does not say which record it is (the Confluent wire
 * format names the writer schema by id, which the serde maps to a record).
 * So each topic has a union of wrappers { type, value } where `type` is the
 * record's short name (unique across schemas/) and `value` is the record
 * exactly as encoded, untouched:
 *
 *   switch (event.type) {
 *     case 'OrderPlaced': return placed(event.value); // event.value: OrderPlaced
 *   }
 *
 * RECORD_FULL_NAMES maps the tag to the Avro full name (registry subject:
 * `<topic>-<full name>`), TopicMessages maps a topic to its union.
 */

import { TOPIC } from '../../lib/topics';

/**
 * Metadata every domain event carries, first field of every event record. Consumers deduplicate on eventId and gate projections on aggregateVersion.
 *
 * Avro record `com.streamfold.common.Envelope` (schemas/common/Envelope.avsc).
 */
export interface Envelope {
  /** Unique id of this event (a UUID). The deduplication key: a redelivered or replayed event has the same eventId. */
  readonly eventId: string;
  /** Id of the aggregate the event belongs to, equal to the Kafka record key: orderId on orders.events and payments.events, customerId on customers. */
  readonly aggregateId: string;
  /** 1, 2, 3… per aggregateId within one topic, without gaps. Projections apply an event only when this is newer than what they hold. */
  readonly aggregateVersion: number;
  /** Event time: when the fact happened at the producer, not when Kafka received it. Windows and timelines use this. */
  readonly occurredAt: Date;
  /** Id shared by every event of one business flow (e.g. the checkout that placed an order and everything that followed), for tracing. */
  readonly correlationId: string;
  /** eventId of the event that caused this one, or null when a command from outside the pipeline caused it. */
  readonly causationId: string | null;
  /** Name of the service that produced the event (e.g. checkout-api, payment-gateway), for debugging and lineage. */
  readonly producer: string;
}

/**
 * The latest profile of a customer, on the compacted customers topic keyed by customerId. Each change publishes the whole profile again; a null value (tombstone) erases the customer.
 *
 * Avro record `com.streamfold.customers.CustomerProfile` (schemas/customers/CustomerProfile.avsc).
 */
export interface CustomerProfile {
  /** Metadata of the change that produced this version of the profile; aggregateId is the customerId, and aggregateVersion gates projections like on event topics. */
  readonly envelope: Envelope;
  /** Customer id, equal to the record key. */
  readonly customerId: string;
  /** Display name. Personal data: erased by the tombstone. */
  readonly name: string;
  /** Contact email address. Personal data: erased by the tombstone. */
  readonly email: string;
  /** ISO 3166-1 alpha-2 country of residence, e.g. FR. Compared with card countries by fraud rules. */
  readonly country: string;
  /** Marketing tier, e.g. standard, silver, gold. A string rather than an enum so a new tier needs no schema change. */
  readonly segment: string;
  /** When the customer signed up. */
  readonly createdAt: Date;
  /** When this version of the profile was written. */
  readonly updatedAt: Date;
}

/**
 * A valid order or payment event that involves a customer, as the stateless validator forwards it: re-keyed by customerId on customer.activity so per-customer processors (the fraud detector) read co-partitioned input, and enriched with the customer's profile. One activity per source event, with the same eventId.
 *
 * Avro record `com.streamfold.derived.CustomerActivity` (schemas/derived/CustomerActivity.avsc).
 */
export interface CustomerActivity {
  /** eventId of the source event, unchanged: the deduplication key downstream, so a replayed or redelivered source event yields an activity that is recognised as already counted. */
  readonly eventId: string;
  /** Order the source event belongs to (its envelope aggregateId and record key). */
  readonly orderId: string;
  /** Customer the activity is about, equal to the record key. */
  readonly customerId: string;
  /** Kind of activity, from the source event's type (OrderPlaced → ORDER_PLACED, PaymentDeclined → PAYMENT_DECLINED, …). */
  readonly kind: ActivityKind;
  /** Amount the source event carries in cents of currency: OrderPlaced.totalCents or the payment's amountCents; 0 when the event has none (ORDER_CANCELLED). */
  readonly amountCents: number;
  /** ISO 4217 currency code of amountCents, or empty when the source event has no amount. */
  readonly currency: string;
  /** Fingerprint of the card tried (PAYMENT_AUTHORIZED, PAYMENT_DECLINED), or null for other kinds. Never the card number. */
  readonly cardFingerprint: string | null;
  /** Provider's id of the payment method tried (PAYMENT_AUTHORIZED, PAYMENT_DECLINED), or null for other kinds. */
  readonly paymentMethodId: string | null;
  /** ISO 3166-1 alpha-2 country the card was issued in (PAYMENT_AUTHORIZED, PAYMENT_DECLINED), or null when the kind has no card or the provider did not say. Compared with customerCountry by fraud rules. */
  readonly cardCountry: string | null;
  /** Event time of the source event (its envelope occurredAt): the time fraud windows count in. */
  readonly occurredAt: Date;
  /** Whether the customers table held a profile for customerId when the validator processed the event; false for a customer never seen or erased by a tombstone. */
  readonly customerKnown: boolean;
  /** Country of residence from the customer's profile, or null when the customer is unknown. */
  readonly customerCountry: string | null;
  /** Marketing segment from the customer's profile, or null when the customer is unknown. */
  readonly customerSegment: string | null;
  /** Topic of the source event (orders.events or payments.events, possibly prefixed), for lineage. */
  readonly sourceTopic: string;
  /** Partition of the source event, for lineage. */
  readonly sourcePartition: number;
  /** Offset of the source event in its partition: with sourceTopic and sourcePartition it locates the original record for replays and investigations. */
  readonly sourceOffset: number;
}

/**
 * What the customer did or what happened to their money, one symbol per source event type. Add symbols only at the end, and know that a reader without the new symbol cannot read records that use it.
 *
 * Avro enum `com.streamfold.derived.ActivityKind` (schemas/derived/CustomerActivity.avsc).
 */
export type ActivityKind = 'ORDER_PLACED' | 'ORDER_CANCELLED' | 'PAYMENT_AUTHORIZED' | 'PAYMENT_DECLINED' | 'PAYMENT_CAPTURED' | 'REFUND_ISSUED';

/**
 * A fraud rule fired for a customer: a windowed counter reached its threshold. Published on fraud.alerts keyed by customerId.
 *
 * Avro record `com.streamfold.derived.FraudAlert` (schemas/derived/FraudAlert.avsc).
 */
export interface FraudAlert {
  /** Deterministic id derived from customerId, rule and windowStart, so replaying the log raises the same alert with the same id and sinks can deduplicate on it. */
  readonly alertId: string;
  /** Customer the alert is about, equal to the record key. */
  readonly customerId: string;
  /** Name of the rule that fired, e.g. declines-per-10m. A string so rules can be added without a schema change. */
  readonly rule: string;
  /** Inclusive start of the event-time window the rule counted over. */
  readonly windowStart: Date;
  /** Exclusive end of the event-time window. */
  readonly windowEnd: Date;
  /** Counter value that crossed the threshold: a count of events, or cents for amount rules. */
  readonly observed: number;
  /** The rule's threshold, in the same unit as observed. */
  readonly threshold: number;
  /** eventIds of the events counted in the window, oldest first, so an analyst can pull them from the log. */
  readonly triggeringEventIds: readonly string[];
  /** occurredAt of the event that made the counter cross the threshold (event time, so replays give the same value). */
  readonly detectedAt: Date;
}

/**
 * Open windowed counters of the fraud rules for one customer, on the compacted fraud.counters topic keyed by customerId (also the fraud processor's changelog).
 *
 * Avro record `com.streamfold.derived.FraudCounters` (schemas/derived/FraudCounters.avsc).
 */
export interface FraudCounters {
  /** Customer the counters are about, equal to the record key. */
  readonly customerId: string;
  /** Counters of windows that are still open (or within the grace period), any number per rule when windows overlap. */
  readonly counters: readonly FraudWindowCounter[];
  /** Incremented on every change of this record, so sinks can ignore a stale or replayed update. */
  readonly version: number;
  /** Event time of the last event that changed the counters. */
  readonly updatedAt: Date;
  /** eventId of the last event counted, for tracing. */
  readonly lastEventId: string | null;
}

/**
 * One rule's counter over one event-time window.
 *
 * Avro record `com.streamfold.derived.FraudWindowCounter` (schemas/derived/FraudCounters.avsc).
 */
export interface FraudWindowCounter {
  /** Rule the counter belongs to, as in FraudAlert.rule. */
  readonly rule: string;
  /** Inclusive start of the window. */
  readonly windowStart: Date;
  /** Exclusive end of the window. */
  readonly windowEnd: Date;
  /** Current value: a count of events, or cents for amount rules. */
  readonly value: number;
  /** eventIds counted in this window: a redelivered event is not counted twice, and an alert can name what triggered it. */
  readonly eventIds: readonly string[];
  /** Whether this window already raised its alert, so it raises at most one. */
  readonly alerted: boolean;
}

/**
 * An order folded from its orders.events and payments.events, on the compacted orders.state topic keyed by orderId (also the order aggregator's changelog). Rebuilt by replaying the event topics.
 *
 * Avro record `com.streamfold.derived.OrderState` (schemas/derived/OrderState.avsc).
 */
export interface OrderState {
  /** Order id, equal to the record key. */
  readonly orderId: string;
  /** Customer who placed the order. */
  readonly customerId: string;
  /** Current lifecycle stage, from the latest order event. */
  readonly status: OrderStatus;
  /** Current order lines after every add and remove, one per sku. */
  readonly items: readonly OrderItem[];
  /** Current total in cents: the sum of quantity × unitPriceCents over items. */
  readonly totalCents: number;
  /** ISO 4217 currency code of every amount in this record. */
  readonly currency: string;
  /** occurredAt of the OrderPlaced event. */
  readonly placedAt: Date;
  /** occurredAt of the OrderConfirmed event, or null before. */
  readonly confirmedAt: Date | null;
  /** occurredAt of the OrderShipped event, or null before. */
  readonly shippedAt: Date | null;
  /** occurredAt of the OrderDelivered event, or null before. */
  readonly deliveredAt: Date | null;
  /** occurredAt of the OrderCancelled event, or null if not cancelled. */
  readonly cancelledAt: Date | null;
  /** Shipping carrier from OrderShipped, or null before shipping. */
  readonly carrier: string | null;
  /** Tracking number from OrderShipped, or null before shipping. */
  readonly trackingNumber: string | null;
  /** reason from OrderCancelled, or null if not cancelled. */
  readonly cancelReason: string | null;
  /** cancelledBy from OrderCancelled, or null if not cancelled. */
  readonly cancelledBy: string | null;
  /** Payment stage from the latest payments.events event of this order. */
  readonly paymentStatus: PaymentStatus;
  /** Sum of PaymentAuthorized amounts, in cents. */
  readonly amountAuthorizedCents: number;
  /** Sum of PaymentCaptured amounts, in cents. */
  readonly amountCapturedCents: number;
  /** Sum of RefundIssued amounts, in cents. */
  readonly amountRefundedCents: number;
  /** Latest occurredAt among the folded events (orders and payments). */
  readonly lastEventAt: Date;
  /** eventId of the latest folded event by occurredAt (ties: the greater eventId), for tracing a state back to its cause; independent of the order the two topics were consumed in. */
  readonly lastEventId: string;
  /** aggregateVersion of the last orders.events event folded in. Sinks apply a state only when this (then paymentVersion) is newer than what they hold. */
  readonly version: number;
  /** aggregateVersion of the last payments.events event folded in (payments count their own versions per order), or 0 before any payment. */
  readonly paymentVersion: number;
}

/**
 * Lifecycle stage of an order. Add symbols only at the end, and know that a reader without the new symbol cannot read records that use it.
 *
 * Avro enum `com.streamfold.derived.OrderStatus` (schemas/derived/OrderState.avsc).
 */
export type OrderStatus = 'PLACED' | 'CONFIRMED' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';

/**
 * Where the order's money stands, from the latest payment event. NONE until the first one.
 *
 * Avro enum `com.streamfold.derived.PaymentStatus` (schemas/derived/OrderState.avsc).
 */
export type PaymentStatus = 'NONE' | 'AUTHORIZED' | 'DECLINED' | 'CAPTURED' | 'REFUNDED';

/**
 * The order was cancelled before delivery. Terminal state.
 *
 * Avro record `com.streamfold.orders.OrderCancelled` (schemas/orders/OrderCancelled.avsc).
 */
export interface OrderCancelled {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Free-text reason for the cancellation. */
  readonly reason: string;
  /** Who cancelled: customer, merchant or system (e.g. after a declined payment). A string rather than an enum so a new kind of actor needs no schema change. */
  readonly cancelledBy: string;
}

/**
 * The merchant accepted the order; its lines can no longer change.
 *
 * Avro record `com.streamfold.orders.OrderConfirmed` (schemas/orders/OrderConfirmed.avsc).
 */
export interface OrderConfirmed {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
}

/**
 * The carrier reported the order delivered. Terminal state of a successful order.
 *
 * Avro record `com.streamfold.orders.OrderDelivered` (schemas/orders/OrderDelivered.avsc).
 */
export interface OrderDelivered {
  /** Event metadata; aggregateId is the orderId; occurredAt is the delivery time. */
  readonly envelope: Envelope;
}

/**
 * One line of an order: a product and how many of it, at the unit price agreed when the line was added.
 *
 * Avro record `com.streamfold.orders.OrderItem` (schemas/orders/OrderItem.avsc).
 */
export interface OrderItem {
  /** Stock keeping unit of the product. */
  readonly sku: string;
  /** Number of units, at least 1. */
  readonly quantity: number;
  /** Price of one unit in the order currency's minor unit (cents). Integer, never a float, so sums are exact. */
  readonly unitPriceCents: number;
}

/**
 * A line was added to an order before it was confirmed. If the sku is already in the order, the quantities add up.
 *
 * Avro record `com.streamfold.orders.OrderItemAdded` (schemas/orders/OrderItemAdded.avsc).
 */
export interface OrderItemAdded {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** The added line, priced in the order currency. */
  readonly item: OrderItem;
}

/**
 * Units of a product were removed from an order before it was confirmed.
 *
 * Avro record `com.streamfold.orders.OrderItemRemoved` (schemas/orders/OrderItemRemoved.avsc).
 */
export interface OrderItemRemoved {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Product whose units were removed. */
  readonly sku: string;
  /** Number of units removed; the line disappears when none are left. */
  readonly quantity: number;
}

/**
 * A customer placed an order. Always aggregateVersion 1 of the order.
 *
 * Avro record `com.streamfold.orders.OrderPlaced` (schemas/orders/OrderPlaced.avsc).
 */
export interface OrderPlaced {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Customer who placed the order. */
  readonly customerId: string;
  /** Order lines at the time of placing. */
  readonly items: readonly OrderItem[];
  /** Order total in cents: the sum of quantity × unitPriceCents over the items. */
  readonly totalCents: number;
  /** ISO 4217 currency code of every amount in the order, e.g. EUR. */
  readonly currency: string;
}

/**
 * The order left the warehouse.
 *
 * Avro record `com.streamfold.orders.OrderShipped` (schemas/orders/OrderShipped.avsc).
 */
export interface OrderShipped {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Shipping carrier, e.g. DHL. */
  readonly carrier: string;
  /** Carrier's tracking number for the parcel. */
  readonly trackingNumber: string;
}

/**
 * The payment provider reserved the amount on the customer's payment method for an order.
 *
 * Avro record `com.streamfold.payments.PaymentAuthorized` (schemas/payments/PaymentAuthorized.avsc).
 */
export interface PaymentAuthorized {
  /** Event metadata; aggregateId is the orderId, so payments co-partition with the order's events. */
  readonly envelope: Envelope;
  /** Customer who pays. */
  readonly customerId: string;
  /** Provider's id of the payment method used. */
  readonly paymentMethodId: string;
  /** Provider's fingerprint of the card number: the same card has the same fingerprint across customers and payment methods. Never the card number. */
  readonly cardFingerprint: string;
  /** Authorized amount in cents of currency. */
  readonly amountCents: number;
  /** ISO 4217 currency code of amountCents. */
  readonly currency: string;
  /** ISO 3166-1 alpha-2 country the card was issued in, e.g. DE. */
  readonly country: string;
}

/**
 * Money moved: an authorized amount (or part of it) was captured, typically when the order shipped.
 *
 * Avro record `com.streamfold.payments.PaymentCaptured` (schemas/payments/PaymentCaptured.avsc).
 */
export interface PaymentCaptured {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Captured amount in cents of currency. */
  readonly amountCents: number;
  /** ISO 4217 currency code of amountCents. */
  readonly currency: string;
}

/**
 * The payment provider refused to authorize a payment for an order. Repeated declines are a fraud signal.
 *
 * Avro record `com.streamfold.payments.PaymentDeclined` (schemas/payments/PaymentDeclined.avsc).
 */
export interface PaymentDeclined {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Customer who tried to pay. */
  readonly customerId: string;
  /** Provider's id of the payment method tried. */
  readonly paymentMethodId: string;
  /** Provider's fingerprint of the card number tried. Never the card number. */
  readonly cardFingerprint: string;
  /** Amount that was refused, in cents of currency. */
  readonly amountCents: number;
  /** ISO 4217 currency code of amountCents. */
  readonly currency: string;
  /** ISO 3166-1 alpha-2 country the card was issued in, or empty when the provider did not say. */
  readonly country: string;
  /** Provider's decline reason, e.g. insufficient_funds, do_not_honor. */
  readonly reason: string;
}

/**
 * Captured money (all or part) was returned to the customer.
 *
 * Avro record `com.streamfold.payments.RefundIssued` (schemas/payments/RefundIssued.avsc).
 */
export interface RefundIssued {
  /** Event metadata; aggregateId is the orderId. */
  readonly envelope: Envelope;
  /** Refunded amount in cents of currency. */
  readonly amountCents: number;
  /** ISO 4217 currency code of amountCents. */
  readonly currency: string;
  /** Free-text reason for the refund, e.g. order cancelled, item returned. */
  readonly reason: string;
}

/** Avro full name of every record a topic carries, by its tag (short name). */
export const RECORD_FULL_NAMES = {
  OrderPlaced: 'com.streamfold.orders.OrderPlaced',
  OrderItemAdded: 'com.streamfold.orders.OrderItemAdded',
  OrderItemRemoved: 'com.streamfold.orders.OrderItemRemoved',
  OrderConfirmed: 'com.streamfold.orders.OrderConfirmed',
  OrderShipped: 'com.streamfold.orders.OrderShipped',
  OrderDelivered: 'com.streamfold.orders.OrderDelivered',
  OrderCancelled: 'com.streamfold.orders.OrderCancelled',
  PaymentAuthorized: 'com.streamfold.payments.PaymentAuthorized',
  PaymentDeclined: 'com.streamfold.payments.PaymentDeclined',
  PaymentCaptured: 'com.streamfold.payments.PaymentCaptured',
  RefundIssued: 'com.streamfold.payments.RefundIssued',
  CustomerProfile: 'com.streamfold.customers.CustomerProfile',
  OrderState: 'com.streamfold.derived.OrderState',
  FraudCounters: 'com.streamfold.derived.FraudCounters',
  FraudAlert: 'com.streamfold.derived.FraudAlert',
  CustomerActivity: 'com.streamfold.derived.CustomerActivity',
} as const;

export type RecordName = keyof typeof RECORD_FULL_NAMES;

/** TypeScript type of every record a topic carries, by its tag. */
export interface RecordTypes {
  OrderPlaced: OrderPlaced;
  OrderItemAdded: OrderItemAdded;
  OrderItemRemoved: OrderItemRemoved;
  OrderConfirmed: OrderConfirmed;
  OrderShipped: OrderShipped;
  OrderDelivered: OrderDelivered;
  OrderCancelled: OrderCancelled;
  PaymentAuthorized: PaymentAuthorized;
  PaymentDeclined: PaymentDeclined;
  PaymentCaptured: PaymentCaptured;
  RefundIssued: RefundIssued;
  CustomerProfile: CustomerProfile;
  OrderState: OrderState;
  FraudCounters: FraudCounters;
  FraudAlert: FraudAlert;
  CustomerActivity: CustomerActivity;
}

/** A value of the orders.events topic, tagged with its record's short name. */
export type OrderEvent =
  | { readonly type: 'OrderPlaced'; readonly value: OrderPlaced }
  | { readonly type: 'OrderItemAdded'; readonly value: OrderItemAdded }
  | { readonly type: 'OrderItemRemoved'; readonly value: OrderItemRemoved }
  | { readonly type: 'OrderConfirmed'; readonly value: OrderConfirmed }
  | { readonly type: 'OrderShipped'; readonly value: OrderShipped }
  | { readonly type: 'OrderDelivered'; readonly value: OrderDelivered }
  | { readonly type: 'OrderCancelled'; readonly value: OrderCancelled };

/** A value of the payments.events topic, tagged with its record's short name. */
export type PaymentEvent =
  | { readonly type: 'PaymentAuthorized'; readonly value: PaymentAuthorized }
  | { readonly type: 'PaymentDeclined'; readonly value: PaymentDeclined }
  | { readonly type: 'PaymentCaptured'; readonly value: PaymentCaptured }
  | { readonly type: 'RefundIssued'; readonly value: RefundIssued };

/** A value of the customers topic, tagged with its record's short name. */
export type CustomerMessage =
  | { readonly type: 'CustomerProfile'; readonly value: CustomerProfile };

/** A value of the orders.state topic, tagged with its record's short name. */
export type OrderStateMessage =
  | { readonly type: 'OrderState'; readonly value: OrderState };

/** A value of the fraud.counters topic, tagged with its record's short name. */
export type FraudCountersMessage =
  | { readonly type: 'FraudCounters'; readonly value: FraudCounters };

/** A value of the fraud.alerts topic, tagged with its record's short name. */
export type FraudAlertMessage =
  | { readonly type: 'FraudAlert'; readonly value: FraudAlert };

/** A value of the customer.activity topic, tagged with its record's short name. */
export type CustomerActivityMessage =
  | { readonly type: 'CustomerActivity'; readonly value: CustomerActivity };

/** The tagged union of each topic. */
export interface TopicMessages {
  [TOPIC.orderEvents]: OrderEvent;
  [TOPIC.paymentEvents]: PaymentEvent;
  [TOPIC.customers]: CustomerMessage;
  [TOPIC.orderState]: OrderStateMessage;
  [TOPIC.fraudCounters]: FraudCountersMessage;
  [TOPIC.fraudAlerts]: FraudAlertMessage;
  [TOPIC.customerActivity]: CustomerActivityMessage;
}
