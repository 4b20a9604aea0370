/**
 * scripts/lib/supervise with stand-in services (bash one-liners) and a
 * shortened schedule: which exits restart, the backoff between restarts, its
 * reset after a stable run, the state file, and a stop that is no restart.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SUPERVISE = path.resolve(__dirname, '../../../scripts/lib/supervise');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'supervise-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly restart?: number;
  readonly delayMs?: number;
}

interface Supervised {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  lines(): LogLine[];
  state(): Record<string, string>;
}

function supervise(service: string, env: Record<string, string> = {}): Supervised {
  const stateFile = path.join(dir, 'demo.state');
  const child = spawn(SUPERVISE, ['demo', stateFile, 'bash', '-c', service], {
    cwd: dir,
    env: { ...process.env, SUPERVISE_BACKOFF_INITIAL_MS: '100', SUPERVISE_BACKOFF_MAX_MS: '400', SUPERVISE_STABLE_AFTER_MS: '60000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exit,
    lines: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
    state: () =>
      existsSync(stateFile)
        ? Object.fromEntries(
            readFileSync(stateFile, 'utf8')
              .trim()
              .split('\n')
              .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
          )
        : {},
  };
}

/** A stand-in that fails with `code` on its first `failures` runs (counted in a file), then exits 0. */
function failingThenDone(failures: number, code = 3, extra = ''): string {
  return `n=$(cat runs 2>/dev/null || echo 0); echo $((n + 1)) > runs; ${extra} if ((n < ${failures})); then exit ${code}; fi; exit 0`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function restartDelays(lines: readonly LogLine[]): number[] {
  return lines.filter((line) => line.restart !== undefined).map((line) => line.delayMs ?? -1);
}

/** Each delay is its nominal value shortened by at most 20 % (the jitter). */
function expectJittered(delays: readonly number[], nominal: readonly number[]): void {
  expect(delays).toHaveLength(nominal.length);
  delays.forEach((delay, i) => {
    expect(delay).toBeLessThanOrEqual(nominal[i]!);
    expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal[i]! * 0.8));
  });
}

test('a service that fails is restarted after delays doubling up to the cap, until it exits 0', async () => {
  const run = supervise(failingThenDone(4));
  expect(await run.exit).toBe(0);
  const lines = run.lines();
  expectJittered(restartDelays(lines), [100, 200, 400, 400]);
  expect(lines.filter((line) => line.restart !== undefined).every((line) => line.level === 40 && line.exitCode === 3)).toBe(true);
  expect(lines.at(-1)?.msg).toMatch(/exited with code 0 .*not restarting/);
  expect(run.state()).toMatchObject({ state: 'stopped', restarts: '4', last_exit: '0' });
});

test('a run that lasted the stable period starts the backoff over', async () => {
  // runs 1 and 2 fail at once, run 3 after 400 ms (over the 300 ms stable period), run 4 at once
  const run = supervise(failingThenDone(4, 3, 'if ((n == 2)); then sleep 0.4; fi;'), { SUPERVISE_STABLE_AFTER_MS: '300', SUPERVISE_BACKOFF_MAX_MS: '30000' });
  expect(await run.exit).toBe(0);
  expectJittered(restartDelays(run.lines()), [100, 200, 100, 200]);
});

test('exit code 78 (configuration) is not restarted', async () => {
  const run = supervise('exit 78');
  expect(await run.exit).toBe(78);
  expect(restartDelays(run.lines())).toEqual([]);
  expect(run.lines().at(-1)).toMatchObject({ level: 50, exitCode: 78 });
  expect(run.state()).toMatchObject({ state: 'stopped', restarts: '0', last_exit: '78' });
});

test('a service killed by a signal is restarted; SIGTERM to the supervisor stops both, without a restart', async () => {
  const run = supervise('exec sleep 30');
  await until(() => run.state()['state'] === 'running', 'the first run');
  const first = Number(run.state()['pid']);
  process.kill(first, 'SIGKILL');
  await until(() => run.state()['state'] === 'running' && Number(run.state()['pid']) !== first, 'the restart');
  expect(run.lines().find((line) => line.restart === 1)).toMatchObject({ level: 40, signal: 'SIGKILL' });

  const second = Number(run.state()['pid']);
  run.child.kill('SIGTERM');
  expect(await run.exit).toBe(0);
  expect(() => process.kill(second, 0)).toThrow(); // the service got the SIGTERM too
  expect(run.state()).toMatchObject({ state: 'stopped', restarts: '1', last_exit: 'SIGTERM' });
  expect(run.lines().at(-1)?.msg).toBe('service stopped');
});

test('SIGTERM while it waits to restart ends the wait: no restart follows', async () => {
  const run = supervise('exit 1', { SUPERVISE_BACKOFF_INITIAL_MS: '5000' });
  await until(() => run.state()['state'] === 'restarting', 'the first failure');
  run.child.kill('SIGTERM');
  expect(await run.exit).toBe(0);
  expect(run.state()).toMatchObject({ state: 'stopped', restarts: '1' });
  expect(existsSync(path.join(dir, 'runs'))).toBe(false);
});
