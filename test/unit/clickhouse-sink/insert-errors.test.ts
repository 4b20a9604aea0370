import { ClickHouseError } from '@clickhouse/client';
import { ClickHouseWriteError, classifyClickHouseError, clickHouseErrorCode } from '../../../sinks/clickhouse/insert-errors';

/** How @clickhouse/client reports an 18.16 error: a plain Error with the server's text. */
const old = (text: string) => new Error(`${text}, e.what() = DB::Exception\n`);

describe('classifyClickHouseError', () => {
  test('18.16 messages: the code is read from the text', () => {
    expect(clickHouseErrorCode(old('Code: 27, e.displayText() = DB::Exception: Cannot parse input'))).toBe(27);
    expect(classifyClickHouseError(old('Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected "'))).toMatchObject({
      kind: 'bad-data',
      code: 27,
    });
    expect(classifyClickHouseError(old('Code: 72, e.displayText() = DB::Exception: Unsigned type must not contain'))).toMatchObject({ kind: 'bad-data' });
    expect(classifyClickHouseError(old('Code: 117, e.displayText() = DB::Exception: Unknown field found while parsing JSONEachRow'))).toMatchObject({
      kind: 'bad-data',
    });
    expect(classifyClickHouseError(old('Code: 252, e.displayText() = DB::Exception: Too many parts (300)'))).toMatchObject({ kind: 'unavailable', code: 252 });
    expect(classifyClickHouseError(old('Code: 159, e.displayText() = DB::Exception: Timeout exceeded'))).toMatchObject({ kind: 'unavailable' });
    expect(classifyClickHouseError(old("Code: 60, e.displayText() = DB::Exception: Table x.events doesn't exist."))).toMatchObject({
      kind: 'misconfigured',
      code: 60,
    });
    expect(classifyClickHouseError(old("Code: 81, e.displayText() = DB::Exception: Database x doesn't exist"))).toMatchObject({ kind: 'misconfigured' });
  });

  test('current servers: ClickHouseError carries the code', () => {
    const err = new ClickHouseError({ message: 'Cannot parse input', code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
    expect(classifyClickHouseError(err)).toMatchObject({ kind: 'bad-data', code: 27 });
    const tooMany = new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' });
    expect(classifyClickHouseError(tooMany).kind).toBe('unavailable');
    expect(clickHouseErrorCode(new Error('Code: 60. DB::Exception: Unknown table'))).toBe(60);
  });

  test('no answer from the server is unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:18123'), { code: 'ECONNREFUSED' });
    expect(classifyClickHouseError(refused)).toMatchObject({ kind: 'unavailable', code: undefined });
    expect(classifyClickHouseError(new Error('Timeout error.')).kind).toBe('unavailable');
    expect(classifyClickHouseError(new Error('socket hang up')).kind).toBe('unavailable');
    const wrapped = new Error('request failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    expect(classifyClickHouseError(wrapped).kind).toBe('unavailable');
  });

  test('anything not understood is retried loudly, never dead-lettered', () => {
    expect(classifyClickHouseError(new Error('502 Bad Gateway')).kind).toBe('misconfigured');
    expect(classifyClickHouseError('weird').kind).toBe('misconfigured');
  });
});

describe('ClickHouseWriteError', () => {
  test('says what failed, where, and what to do; only bad data is not retryable', () => {
    const bad = new ClickHouseWriteError('db.events', 12, classifyClickHouseError(old('Code: 27, e.displayText() = DB::Exception: Cannot parse')));
    expect(bad.retryable).toBe(false);
    expect(bad.message).toMatch(/insert of 12 row\(s\) into db\.events failed: Code: 27/);
    const missing = new ClickHouseWriteError(
      'db.events',
      1,
      classifyClickHouseError(old("Code: 60, e.displayText() = DB::Exception: Table db.events doesn't exist.")),
    );
    expect(missing.retryable).toBe(true);
    expect(missing.message).toMatch(/are the migrations applied\? scripts\/clickhouse migrate/);
    const down = new ClickHouseWriteError('db.events', 1, classifyClickHouseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
    expect(down).toMatchObject({ kind: 'unavailable', retryable: true, table: 'db.events' });
  });
});
