/** Runs one of the project's command-line scripts (scripts/<name>) the way a person would, capturing its output. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './pipeline';

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runScript(name: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'scripts', name),
      [...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
