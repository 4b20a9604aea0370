/**
 * What folding one event into an order's state gives. Every variant carries
 * the state to keep, so a caller can always write `state = result.state` and
 * branch only for what to emit (a new orders.state record, nothing, or a DLQ
 * record).
 */
import type { Envelope, OrderState } from '../../../schemas/generated/types';
import type { RejectionCode } from './rejections';

export interface Rejection {
  readonly code: RejectionCode;
  /** Names the order, the event and what was wrong, for logs and the DLQ error header. */
  readonly message: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateVersion: number;
}

export type FoldResult =
  /** The event changed the state. */
  | { readonly kind: 'applied'; readonly state: OrderState }
  /** Already folded in (a redelivery or a replay): skipped, state unchanged. */
  | { readonly kind: 'duplicate'; readonly state: OrderState }
  /** Not applied; `state` is the unchanged input (null when the order does not exist yet). */
  | { readonly kind: 'rejected'; readonly state: OrderState | null; readonly rejection: Rejection };

/** What the result constructors need of an event: both topics' tagged unions fit. */
export interface TaggedEvent {
  readonly type: string;
  readonly value: { readonly envelope: Envelope };
}

export function applied(state: OrderState): FoldResult {
  return { kind: 'applied', state };
}

export function duplicate(state: OrderState): FoldResult {
  return { kind: 'duplicate', state };
}

export function rejected(state: OrderState | null, event: TaggedEvent, code: RejectionCode, detail: string): FoldResult {
  const { eventId, aggregateId, aggregateVersion } = event.value.envelope;
  return {
    kind: 'rejected',
    state,
    rejection: {
      code,
      message: `order ${aggregateId}: ${event.type} v${aggregateVersion} (event ${eventId}) rejected, ${code}: ${detail}`,
      eventId,
      eventType: event.type,
      aggregateVersion,
    },
  };
}
