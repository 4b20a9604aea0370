/**
 * pino JSON logs: one root logger per service, children per component or
 * partition. Secret-bearing fields are redacted wherever they appear, as a
 * second line of defence behind describeConfig().
 */
import pino, { DestinationStream, Logger } from 'pino';
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

/** Logs to stdout unless a destination is given (tests capture lines that way). */
export function createLogger(service: string, level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
