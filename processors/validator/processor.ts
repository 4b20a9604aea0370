/**
 * The stateless validator: checks every order and payment event against the
 * rules that need no state, dead-letters the invalid ones with the reason,
 * and routes each valid customer activity, enriched with the customer's
 * profile (the customers topic, materialized as a table), to
 * customer.activity keyed by customerId, which per-customer processors
 * (the fraud detector) consume co-partitioned.
 */
import type { CustomerProfile } from '../../schemas/generated/types';
import type { TopicNames } from '../../lib/topics';
import { avroStoreCodec, RecordCodec } from '../../lib/streaming/codec';
import type { InputRecord, ProcessorContext, ProcessorDefinition } from '../runtime/processor';
import { InputEvent, rejectionOf, toCustomerActivity, validateEvent } from '../../lib/domain/validation/rules';

export const CUSTOMERS_TABLE = 'customers';
export const VALIDATOR_REJECTION = { tombstone: 'TOMBSTONE' } as const;

export interface ValidatorOptions {
  /** The validator's clock (epoch ms); events further ahead than the tolerance are refused. */
  readonly now?: () => number;
  readonly futureToleranceMs?: number;
}

export function validator(topics: TopicNames, codec: RecordCodec, name = 'validator', options: ValidatorOptions = {}): ProcessorDefinition<InputEvent> {
  const now = options.now ?? Date.now;
  return {
    name,
    inputs: [topics.orderEvents, topics.paymentEvents],
    outputs: [topics.customerActivity],
    stores: [],
    tables: [{ name: CUSTOMERS_TABLE, topic: topics.customers, codec: avroStoreCodec<CustomerProfile>(codec, topics.customers, 'CustomerProfile') }],
    process(record: InputRecord<InputEvent>, ctx: ProcessorContext): void {
      const event = record.value;
      if (event === null) return ctx.reject(VALIDATOR_REJECTION.tombstone, `${record.topic} holds events, not tombstones (key ${record.key})`);
      const rejection = rejectionOf(validateEvent(event, record.key, { now: now(), futureToleranceMs: options.futureToleranceMs }));
      if (rejection) return ctx.reject(rejection.code, rejection.message);
      const customerId = 'customerId' in event.value ? event.value.customerId : undefined;
      const profile = customerId === undefined ? undefined : ctx.table<CustomerProfile>(CUSTOMERS_TABLE).get(customerId);
      const activity = toCustomerActivity(event, profile, record);
      if (activity) ctx.forward(topics.customerActivity, activity.customerId, { type: 'CustomerActivity', value: activity });
    },
  };
}
