/**
 * Why a publish call published nothing: one or more of its events failed
 * validation. Each rejection names the event (its index in the call), the
 * topic, the record type and, for schema violations, every field path.
 */
import type { ValueIssue } from '../lib/serde';

export interface RejectedEvent {
  /** Position of the event in the array given to publish/prepare. */
  readonly index: number;
  readonly topic: string;
  /** The record's short name, when the event had one. */
  readonly type: string | undefined;
  /** What is wrong and how to fix it, field paths included. */
  readonly reason: string;
  /** Field-level problems of a schema violation; empty for other reasons. */
  readonly issues: readonly ValueIssue[];
}

const MAX_LISTED = 20;

export class PublishValidationError extends Error {
  override readonly name = 'PublishValidationError';

  constructor(
    readonly rejected: readonly RejectedEvent[],
    readonly total: number,
  ) {
    const listed = rejected.slice(0, MAX_LISTED).map((r) => `  event ${r.index} (${r.topic}${r.type ? ` ${r.type}` : ''}): ${r.reason}`);
    if (rejected.length > MAX_LISTED) listed.push(`  … and ${rejected.length - MAX_LISTED} more`);
    super(`${rejected.length} of ${total} event(s) are invalid, so none of the ${total} was published:\n${listed.join('\n')}`);
  }
}
