/** What the runtime needs to know about an error of the Kafka client: which protocol errors it carries. */
import { GenericError } from '@platformatic/kafka';

/** The error, its causes and the errors it aggregates (MultipleErrors), each once. */
function errorsWithin(error: unknown): object[] {
  const found: object[] = [];
  const walk = (e: unknown) => {
    if (e === null || typeof e !== 'object' || found.includes(e)) return;
    found.push(e);
    const { errors, cause } = e as { errors?: unknown; cause?: unknown };
    if (Array.isArray(errors)) for (const inner of errors) walk(inner);
    walk(cause);
  };
  walk(error);
  return found;
}

/** Every Kafka protocol error id (e.g. ILLEGAL_GENERATION) in the error, its causes and its aggregated errors. */
export function errorIds(error: unknown): string[] {
  return errorsWithin(error).flatMap((e) => {
    const { apiId } = e as { apiId?: unknown };
    return typeof apiId === 'string' ? [apiId] : [];
  });
}

/** An error of the Kafka client (connection, protocol, timeout), as opposed to one of the service's own. */
export function isKafkaError(error: unknown): boolean {
  return error instanceof Error && GenericError.isGenericError(error);
}

/**
 * The instance's producer lost its transactional id to a newer one with the
 * same id, or the broker bumped its epoch when it timed a transaction out
 * (Kafka Streams' ProducerFencedException, InvalidProducerEpochException).
 */
export function isFencing(error: unknown): boolean {
  return errorIds(error).some((id) => id === 'PRODUCER_FENCED' || id === 'INVALID_PRODUCER_EPOCH' || id === 'TRANSACTIONAL_ID_NOT_FOUND');
}

/**
 * The group moved on without this member (Kafka Streams' TaskMigrated /
 * CommitFailed): the coordinator refused offsets, or a heartbeat, for an
 * old generation or a forgotten member. Its uncommitted work is void.
 */
export function isGenerationLost(error: unknown): boolean {
  return errorIds(error).some(
    (id) => id === 'ILLEGAL_GENERATION' || id === 'UNKNOWN_MEMBER_ID' || id === 'REBALANCE_IN_PROGRESS' || id === 'FENCED_INSTANCE_ID',
  );
}

/** Protocol errors no retry or rebuild can fix: credentials, permissions, a broker too old or misconfigured. */
export const FATAL_ERROR_IDS: ReadonlySet<string> = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'INVALID_CONFIG',
  'INVALID_TRANSACTION_TIMEOUT',
]);

/** The service cannot recover by itself and should exit for an operator (or a supervisor) to act. */
export function isFatalKafkaError(error: unknown): boolean {
  if (errorIds(error).some((id) => FATAL_ERROR_IDS.has(id))) return true;
  return errorsWithin(error).some((e) => (e as { code?: unknown }).code === 'PLT_KFK_AUTHENTICATION');
}

/** The error of a call's last attempt: the client aggregates every attempt's error (and every broker's) in MultipleErrors. */
function lastAttempt(error: unknown): unknown {
  for (let depth = 0; depth < 8; depth++) {
    const errors = (error as { errors?: unknown } | null)?.errors;
    if (!Array.isArray(errors) || errors.length === 0) break;
    error = errors[errors.length - 1];
  }
  return error;
}

/**
 * When the call's last attempt could not reach a broker (refused, closed,
 * timed out), what failed, e.g. "Connection to 127.0.0.1:19092 failed:
 * connect ECONNREFUSED 127.0.0.1:19092"; undefined for any other error.
 */
export function brokerUnreachableReason(error: unknown): string | undefined {
  const last = lastAttempt(error);
  if (!(last instanceof Error) || !GenericError.isGenericError(last)) return undefined;
  if (last.code !== 'PLT_KFK_NETWORK' && last.code !== 'PLT_KFK_TIMEOUT') return undefined;
  const cause = last.cause instanceof Error ? `: ${last.cause.message}` : '';
  return `${last.message.replace(/\.$/, '')}${cause}`;
}

/** A send or metadata request named a topic the cluster does not have (the client reports it as a UserError). */
export function isUnknownTopic(error: unknown): boolean {
  if (errorIds(error).includes('UNKNOWN_TOPIC_OR_PARTITION')) return true;
  return error instanceof Error && GenericError.isGenericError(error) && error.code === 'PLT_KFK_USER' && /^Unknown topic /.test(error.message);
}
