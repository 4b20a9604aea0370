/**
 * Configuration and logger of the producer CLIs. Logs go to stderr, not
 * stdout like the services': stdout carries the CLIs' summaries (and their
 * --json output), which log lines must not interleave with.
 */
import pino from 'pino';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import type { CliContext } from '../lib/cli/cli';

export function producerCliContext(service: string): CliContext {
  const config = loadConfig();
  // Without LOG_LEVEL only errors would show: the CLIs report their own progress.
  const logger = createLogger(service, process.env['LOG_LEVEL'] ? config.logLevel : 'error', pino.destination(2));
  return { config, logger };
}
