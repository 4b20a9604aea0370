/**
 * The stateless validator's rules: everything one order or payment event
 * must satisfy on its own, with no state and no clock (`now` is passed in).
 * An empty list means the event is valid; otherwise each violation names
 * the field, its value and what is wrong, and rejectionOf() turns the list
 * into what ctx.reject() takes.
 */
import { isPaymentEvent } from '../event-kinds';
import { checkEnvelope } from './envelope-rules';
import type { InputEvent } from './input-event';
import { checkOrderEvent } from './order-rules';
import { checkPaymentEvent } from './payment-rules';
import type { Violation } from './violations';

export { VIOLATION_REASONS, rejectionOf } from './violations';
export type { Violation, ViolationCode } from './violations';
export type { InputEvent, InputEventType } from './input-event';
export { toCustomerActivity, ACTIVITY_KINDS, activityCustomerId } from './customer-activity';
export type { ActivitySource } from './customer-activity';

/** Producer clocks may run this far ahead of the validator's before an event counts as from the future. */
export const DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface ValidationOptions {
  /** Epoch ms the caller read from its clock. */
  readonly now: number;
  readonly futureToleranceMs?: number;
}

/** Every violation of the event, envelope first; [] when it is valid. `key` is the Kafka record key. */
export function validateEvent(event: InputEvent, key: string | null, options: ValidationOptions): Violation[] {
  const futureToleranceMs = options.futureToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  // A bad option would reject (or pass) every event: a wiring bug, not bad input.
  if (!Number.isFinite(options.now)) throw new RangeError(`validateEvent: now must be epoch ms, got ${options.now}`);
  if (!Number.isSafeInteger(futureToleranceMs) || futureToleranceMs < 0) {
    throw new RangeError(`validateEvent: futureToleranceMs must be a non-negative integer of ms, got ${futureToleranceMs}`);
  }
  const envelope = checkEnvelope(event.type, event.value.envelope, { key, now: options.now, futureToleranceMs });
  const body = isPaymentEvent(event) ? checkPaymentEvent(event) : checkOrderEvent(event);
  return [...envelope, ...body];
}
