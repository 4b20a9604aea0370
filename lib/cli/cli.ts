/**
 * What the small CLIs under scripts/ share: argument parsing with a usage
 * message, a logger that stays quiet unless LOG_LEVEL asks for more (the
 * CLIs print their own report on stdout), and one place that turns an
 * error into a message and an exit code.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { AppConfig, loadConfig } from '../config';
import { createLogger, Logger } from '../logger';

export const EXIT_OK = 0;
/** The command ran and found something a person must fix. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** --help: print the usage and succeed. */
class HelpRequested extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCli<O extends Options>(argv: readonly string[], options: O) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested();
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export interface CliContext {
  readonly config: AppConfig;
  readonly logger: Logger;
}

export function cliContext(service: string): CliContext {
  const config = loadConfig();
  // pino writes JSON to stdout; without LOG_LEVEL only errors would interleave with the report.
  const logger = createLogger(service, process.env['LOG_LEVEL'] ? config.logLevel : 'error');
  return { config, logger };
}

/** Runs `main` and sets the exit code; errors are printed as their message (they say what and how to fix). */
export function runCli(usage: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof HelpRequested) {
        process.stdout.write(`${usage}\n`);
        process.exitCode = EXIT_OK;
        return;
      }
      if (err instanceof UsageError) {
        process.stderr.write(`${err.message}\n${usage}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}

/** Pads columns so reports line up. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
