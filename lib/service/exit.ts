/**
 * How a service ends when it cannot go on by itself: one pino line saying
 * why, then a non-zero exit code for its supervisor (scripts/services,
 * systemd, Kubernetes) to act on. The code tells the two cases apart:
 * 1 is worth a restart (a crash, a bug, a client that gave up), 78
 * (EX_CONFIG in sysexits.h) is not: the configuration is wrong or the
 * topics were never provisioned, and a restart would fail the same way.
 */
import { MissingTopicsError } from '../admin/require-topics';
import { ConfigError } from '../config';
import { createLogger, Logger } from '../logger';

export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 78;

/** The exit code for an error that stops a service: EXIT_CONFIG when only an operator can fix it. */
export function exitCodeFor(error: unknown): number {
  return error instanceof ConfigError || error instanceof MissingTopicsError ? EXIT_CONFIG : EXIT_FAILURE;
}

/** Logs why (fatal, or info for code 0) and exits once the line is written. */
export function exitService(logger: Logger, code: number, reason: string, error?: unknown): void {
  const fields = error === undefined ? { exitCode: code } : { exitCode: code, err: error };
  if (code === 0) logger.info(fields, reason);
  else logger.fatal(fields, reason);
  // pino may still hold the line in its buffer: exit once it is out
  logger.flush(() => process.exit(code));
}

/** The message of a start-up failure: a known cause in words, anything else with its stack to find it. */
function startFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof MissingTopicsError) return error.message;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE') return `port ${String(port)} for /health and /metrics is taken (another instance of this service? HTTP_PORT sets the port)`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** The entry points' catch: a service whose start-up failed exits with a line saying why. */
export function exitOnStartFailure(logger: Logger, error: unknown): void {
  const code = exitCodeFor(error);
  exitService(
    logger,
    code,
    `failed to start: ${startFailure(error)}${code === EXIT_CONFIG ? ' (not worth a restart until that is fixed)' : ''}`,
    code === EXIT_CONFIG ? undefined : error,
  );
}

/**
 * Reads the configuration, or exits with EXIT_CONFIG naming every bad
 * variable (undefined is returned then, and the process ends as soon as the
 * line is written). There is no configured logger yet: the line comes from
 * one at the default level.
 */
export function loadOrExit<T>(service: string, load: () => T): T | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    exitService(createLogger(service), EXIT_CONFIG, error.message);
    return undefined;
  }
}

/**
 * An exception nothing caught leaves the service in an unknown state: log it
 * as such and exit for the supervisor to start a clean one (Node would exit
 * too, with a bare stack on stderr).
 */
export function exitOnUncaught(logger: Logger): void {
  process.on('uncaughtException', (error) => exitService(logger, EXIT_FAILURE, 'uncaught exception; exiting for a restart', error));
  process.on('unhandledRejection', (reason) => exitService(logger, EXIT_FAILURE, 'unhandled promise rejection; exiting for a restart', reason));
}
