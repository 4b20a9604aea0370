/**
 * What integration tests share: the real configuration (the local services
 * unless the environment says otherwise), a quiet logger, and names unique to
 * one test run so tests can run in any order and rerun.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, AppConfig } from '../../../lib/config';
import { createLogger, Logger } from '../../../lib/logger';

export const config: AppConfig = loadConfig();

export const logger: Logger = createLogger('test', process.env.LOG_LEVEL ? config.logLevel : 'silent');

/** e.g. uniqueName('orders') → 'test-orders-lq3x9a-1f2e' */
export function uniqueName(base: string): string {
  return `test-${base}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
}
