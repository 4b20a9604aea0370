/**
 * Errors of the schema registry client. Callers tell them apart by class:
 * RegistryUnavailableError is transient (retry, or stop and page someone),
 * SchemaIncompatibleError is a schema problem a person must fix, and
 * RegistryError is any other answer the registry gave.
 */

export interface RegistryRequest {
  readonly method: string;
  /** Path under the registry URL, e.g. /subjects/orders.events-…/versions. */
  readonly path: string;
}

/** The registry answered with an HTTP error. */
export class RegistryError extends Error {
  override readonly name: string = 'RegistryError';

  constructor(
    readonly request: RegistryRequest,
    readonly status: number,
    /** Confluent error code from the body (40401 subject not found, 40403 schema not found, …), if any. */
    readonly errorCode: number | undefined,
    readonly registryMessage: string,
    message = `schema registry: ${request.method} ${request.path} failed with HTTP ${status}${
      errorCode !== undefined ? ` (error_code ${errorCode})` : ''
    }: ${registryMessage}`,
  ) {
    super(message);
  }
}

/** Confluent API error codes the client acts on. */
export const ERROR_CODE = {
  subjectNotFound: 40401,
  versionNotFound: 40402,
  schemaNotFound: 40403,
} as const;

/** The registry could not be reached at all (refused, DNS, timeout), so nothing can be concluded about schemas. */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';

  constructor(
    readonly request: RegistryRequest,
    /** The registry URL with any password masked. */
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `schema registry unreachable at ${url} (${request.method} ${request.path}: ${describeCause(cause)}). ` +
        'Check that it is running (scripts/infra status) and that SCHEMA_REGISTRY_URL points at its Confluent-compatible API ' +
        '(for Apicurio: http://<host>:<port>/apis/ccompat/v7).',
      { cause },
    );
  }
}

/** The registry refused a schema as incompatible with the subject's registered versions (HTTP 409). */
export class SchemaIncompatibleError extends RegistryError {
  override readonly name = 'SchemaIncompatibleError';

  constructor(
    request: RegistryRequest,
    readonly subject: string,
    registryMessage: string,
    /** Where and why, from the local avsc check (field path and reason), when it could be worked out. */
    readonly details: readonly string[] = [],
  ) {
    super(
      request,
      409,
      409,
      registryMessage,
      `schema registry refused a new version of subject ${subject} as incompatible with its registered versions: ${registryMessage}` +
        (details.length > 0 ? `\n  ${details.join('\n  ')}` : '') +
        '\nFix: make the change compatible (add fields with a default, keep field types), or register the schema under a new record name or topic.',
    );
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // The client passes the socket error's text (e.g. "connect ECONNREFUSED 127.0.0.1:18081");
    // an error wrapping another (fetch's "fetch failed") is described by the inner one.
    const inner = (cause as Error & { cause?: unknown }).cause;
    if (inner instanceof Error) {
      const code = (inner as Error & { code?: unknown }).code;
      return typeof code === 'string' ? `${code}: ${inner.message}` : inner.message;
    }
    return cause.name === 'TimeoutError' ? `no answer within the timeout (${cause.message})` : cause.message;
  }
  return String(cause);
}
