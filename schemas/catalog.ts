/**
 * Which records go to which topic: declared once, here. The loader, the
 * registry scripts, the serde and the TypeScript generator all read this.
 *
 * To add an event type: write schemas/<folder>/<Name>.avsc, list its full
 * name under its topic below, and run `npx tsx scripts/gen-types.ts`.
 */
import type { CompatibilityLevel } from '../lib/registry/compatibility-level';
import { TOPIC, TopicName } from '../lib/topics';

/**
 * `event`: domain events (and the customers topic, for uniform version
 * gating); every record starts with the envelope field.
 * `derived`: records computed by processors; they carry their own version.
 */
export type TopicKind = 'event' | 'derived';

export interface TopicSchemaSpec {
  readonly kind: TopicKind;
  /** Name of the generated TypeScript union of this topic's tagged values. */
  readonly unionName: string;
  /** Full names of the records this topic carries. */
  readonly records: readonly string[];
  /**
   * The registry level `scripts/schemas register` sets on this topic's
   * subjects (and `check` evaluates with); DEFAULT_COMPATIBILITY
   * (BACKWARD_TRANSITIVE) when absent.
   */
  readonly compatibility?: CompatibilityLevel;
}

export const ENVELOPE_RECORD = 'com.streamfold.common.Envelope';
/** The first field of every record on an event topic, of type ENVELOPE_RECORD. */
export const ENVELOPE_FIELD = 'envelope';

// A mapped type over TopicName: adding a topic to lib/topics.ts without
// declaring its schemas here is a compile error.
export const TOPIC_SCHEMAS: { readonly [T in TopicName]: TopicSchemaSpec } = {
  [TOPIC.orderEvents]: {
    kind: 'event',
    unionName: 'OrderEvent',
    // FULL: consumers lag behind producers, so readers on an old version must read new events too
    compatibility: 'FULL_TRANSITIVE',
    records: [
      'com.streamfold.orders.OrderPlaced',
      'com.streamfold.orders.OrderItemAdded',
      'com.streamfold.orders.OrderItemRemoved',
      'com.streamfold.orders.OrderConfirmed',
      'com.streamfold.orders.OrderShipped',
      'com.streamfold.orders.OrderDelivered',
      'com.streamfold.orders.OrderCancelled',
    ],
  },
  [TOPIC.paymentEvents]: {
    kind: 'event',
    unionName: 'PaymentEvent',
    // FULL: consumers lag behind producers, so readers on an old version must read new events too
    compatibility: 'FULL_TRANSITIVE',
    records: [
      'com.streamfold.payments.PaymentAuthorized',
      'com.streamfold.payments.PaymentDeclined',
      'com.streamfold.payments.PaymentCaptured',
      'com.streamfold.payments.RefundIssued',
    ],
  },
  [TOPIC.customers]: {
    kind: 'event',
    unionName: 'CustomerMessage',
    // FULL: consumers lag behind producers, so readers on an old version must read new events too
    compatibility: 'FULL_TRANSITIVE',
    records: ['com.streamfold.customers.CustomerProfile'],
  },
  [TOPIC.orderState]: {
    kind: 'derived',
    unionName: 'OrderStateMessage',
    records: ['com.streamfold.derived.OrderState'],
  },
  [TOPIC.fraudCounters]: {
    kind: 'derived',
    unionName: 'FraudCountersMessage',
    records: ['com.streamfold.derived.FraudCounters'],
  },
  [TOPIC.fraudAlerts]: {
    kind: 'derived',
    unionName: 'FraudAlertMessage',
    records: ['com.streamfold.derived.FraudAlert'],
  },
  [TOPIC.customerActivity]: {
    kind: 'derived',
    unionName: 'CustomerActivityMessage',
    records: ['com.streamfold.derived.CustomerActivity'],
  },
};

/** Topics in declaration order, typed (Object.keys would give string[]). */
export const CATALOG_TOPICS = Object.keys(TOPIC_SCHEMAS) as TopicName[];
