/**
 * What a failed insert means for the records in it, so the writer knows
 * whether to retry, to dead-letter, or to stop and ask for a person:
 *
 *   unavailable    the store is down, slow or overloaded (connection refused
 *                  or reset, timeouts, too many parts, memory limit…): retry
 *                  the same batch with backoff, pausing the partitions;
 *                  commit nothing.
 *   bad-data       ClickHouse refused the values (parse errors, type
 *                  mismatch): a record is at fault; find it and dead-letter
 *                  it, write the rest.
 *   misconfigured  the request itself is wrong for this server (unknown
 *                  table or database: migrations not applied; authentication;
 *                  a syntax error): every record would fail the same way, so
 *                  dead-lettering would empty the topic into the DLQ. Treat
 *                  like unavailable (retry, paused) and log it loudly.
 *
 * ClickHouse 18.16 answers "Code: 27, e.displayText() = DB::Exception: …",
 * which @clickhouse/client does not parse into a ClickHouseError (it does for
 * current servers: "Code: 27. DB::Exception: … (TYPE)"), so the numeric code
 * is read from the message when the error has none.
 */

export type FailureKind = 'unavailable' | 'bad-data' | 'misconfigured';

/** Error codes (src/Common/ErrorCodes.cpp; names checked with errorCodeToName) that mean the values of an insert were refused. */
const BAD_DATA_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA (also: unknown field in JSONEachRow)
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  366, // SIZES_OF_NESTED_COLUMNS_ARE_INCONSISTENT
  376, // CANNOT_PARSE_UUID
  467, // CANNOT_PARSE_BOOL (current servers)
]);

/** Codes that mean the server cannot take the write now but may later. */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (e.g. a replica in read-only mode)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
]);

/** Node and client errors that mean the server could not be reached or did not answer. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
]);

export interface ClassifiedError {
  readonly kind: FailureKind;
  /** ClickHouse's numeric error code, when the server answered with one. */
  readonly code: number | undefined;
  readonly message: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message.trim() : String(err);
}

/** The server's numeric error code: ClickHouseError.code, or "Code: N" at the start of an 18.16 message. */
export function clickHouseErrorCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  }
  const match = /^Code: (\d+)[,.]/.exec(errorText(err));
  return match === null ? undefined : Number(match[1]);
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function classifyClickHouseError(err: unknown): ClassifiedError {
  const message = errorText(err);
  const code = clickHouseErrorCode(err);
  if (code === undefined) {
    // No answer from ClickHouse: refused or dropped connections, the client's
    // own request timeout ("Timeout error."), a socket hang-up. Anything else
    // without a server code (a proxy's error page, a client bug) is not
    // understood: retried like a misconfiguration, never dead-lettered.
    const transient = networkCode(err) !== undefined || /timeout|socket hang up/i.test(message);
    return { kind: transient ? 'unavailable' : 'misconfigured', code, message };
  }
  if (BAD_DATA_CODES.has(code)) return { kind: 'bad-data', code, message };
  if (UNAVAILABLE_CODES.has(code)) return { kind: 'unavailable', code, message };
  return { kind: 'misconfigured', code, message };
}

/** An insert that failed, with what it means (kind) and where (table). */
export class ClickHouseWriteError extends Error {
  override readonly name = 'ClickHouseWriteError';
  readonly kind: FailureKind;
  readonly code: number | undefined;
  readonly table: string;

  constructor(table: string, rows: number, classified: ClassifiedError, options?: { cause?: unknown }) {
    super(`${HINTS[classified.kind]}: insert of ${rows} row(s) into ${table} failed: ${classified.message}`, options);
    this.kind = classified.kind;
    this.code = classified.code;
    this.table = table;
  }

  /** Whether the same batch should be tried again (after a backoff) rather than dead-lettered. */
  get retryable(): boolean {
    return this.kind !== 'bad-data';
  }
}

const HINTS: Readonly<Record<FailureKind, string>> = {
  unavailable: 'ClickHouse unavailable (retrying is expected to succeed once it is back; check scripts/infra status)',
  'bad-data': 'ClickHouse refused the values of a record',
  misconfigured: 'ClickHouse refused the request (are the migrations applied? scripts/clickhouse migrate; are CLICKHOUSE_URL/USER/PASSWORD/DATABASE right?)',
};
