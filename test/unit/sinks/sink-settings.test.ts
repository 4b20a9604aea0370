import { ConfigError } from '../../../lib/config';
import { DEFAULT_SINK_SETTINGS, readSinkSettings } from '../../../sinks/runtime/sink-settings';

test('without variables a sink gets its own defaults over the engine defaults', () => {
  const settings = readSinkSettings({ batching: { maxRecords: 2000 } }, {});
  expect(settings.batching).toEqual({ maxRecords: 2000, maxDelayMs: DEFAULT_SINK_SETTINGS.batching.maxDelayMs });
  expect(settings.backoff).toEqual(DEFAULT_SINK_SETTINGS.backoff);
});

test('SINK_* variables override the defaults', () => {
  const settings = readSinkSettings(
    { batching: { maxRecords: 2000 } },
    { SINK_BATCH_MAX_RECORDS: '50000', SINK_BATCH_MAX_DELAY_MS: '1000', SINK_RETRY_INITIAL_MS: '50', SINK_RETRY_MAX_MS: '2000', SINK_WRITE_TIMEOUT_MS: '5000' },
  );
  expect(settings.batching).toEqual({ maxRecords: 50_000, maxDelayMs: 1000 });
  expect(settings.backoff).toMatchObject({ initialMs: 50, maxMs: 2000 });
  expect(settings.writeTimeoutMs).toBe(5000);
});

test('every bad variable is named at once', () => {
  let error: unknown;
  try {
    readSinkSettings({}, { SINK_BATCH_MAX_RECORDS: 'lots', SINK_RETRY_INITIAL_MS: '500', SINK_RETRY_MAX_MS: '100' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const { problems } = error as ConfigError;
  expect(problems).toEqual([
    'SINK_BATCH_MAX_RECORDS="lots" must be an integer from 1 to 1000000',
    'SINK_RETRY_MAX_MS (100) must be at least SINK_RETRY_INITIAL_MS (500)',
  ]);
});
