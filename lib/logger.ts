/**
 * pino JSON logs: one root logger per service, children per component or
 * partition. Secret-bearing fields are redacted wherever they appear, as a
 * second line of defence behind describeConfig().
 */
import pino, { Logger } from 'pino';
import type { LogLevel } from './config';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'sasl.password',
  '*.sasl.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
];

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
