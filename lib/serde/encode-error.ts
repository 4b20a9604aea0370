/**
 * A value the encoder refuses: nothing was produced for it. Producers report
 * it to their caller (the event is wrong, retrying will not help).
 * Registry outages are not EncodeErrors: they throw RegistryUnavailableError.
 */
import { ValueIssue, describeIssues } from './value-issues';

export type EncodeErrorReason =
  /** The topic carries no record with the value's `type` tag. */
  | 'unknown-record'
  /** The value does not match the record's schema; `issues` names each field. */
  | 'invalid-value'
  /** The schema is not registered and the encoder may not register it. */
  | 'schema-not-registered';

export class EncodeError extends Error {
  override readonly name = 'EncodeError';

  constructor(
    readonly reason: EncodeErrorReason,
    message: string,
    readonly topic: string,
    readonly issues: readonly ValueIssue[] = [],
  ) {
    super(message);
  }

  static invalidValue(topic: string, fullName: string, issues: readonly ValueIssue[]): EncodeError {
    return new EncodeError('invalid-value', `invalid ${fullName} for topic ${topic}: ${describeIssues(issues)}`, topic, issues);
  }
}
