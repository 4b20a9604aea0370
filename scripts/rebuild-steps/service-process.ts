/** The service that does a rebuild, as a child process writing its logs to a file. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeArgs, PROJECT_ROOT } from '../../lib/service/project-root';

export const ROOT = PROJECT_ROOT;

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves, with how it ended, when the process exits. */
  readonly exited: Promise<string>;
  /** SIGTERM (graceful: commit, leave the group) and wait for the exit. */
  stop(): Promise<string>;
  tail(lines?: number): string;
}

export function startServiceProcess(main: string, logFile: string): ServiceProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, nodeArgs(main), { cwd: ROOT, env: process.env, stdio: ['ignore', log, log] });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`the service exited (${signal ?? `code ${code}`})`)));
  return {
    child,
    logFile,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    tail: (lines = 15) => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'),
  };
}
