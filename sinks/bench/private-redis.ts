/**
 * A private redis-server on a free loopback port, in a temporary directory,
 * for benchmarks and for tests that stop Redis on purpose: the project's
 * Redis is shared by everyone working on this machine and must never be
 * stopped or loaded by one of them.
 *
 *   const redis = await startPrivateRedis({ persistence: 'always' });
 *   …  await redis.stop(); …  await redis.start(); …  await redis.close();
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * none: nothing survives a stop (the fastest, for ceilings);
 * everysec: like the project's Redis (scripts/infra.d/redis/redis.conf);
 * always: every acknowledged write survives a stop, even a kill (outage tests).
 */
export type RedisPersistence = 'none' | 'everysec' | 'always';

export interface PrivateRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly dir: string;
  /** Starts the server again on the same port and directory (after stop()). */
  start(): Promise<void>;
  /** SIGTERM and wait: Redis flushes its append-only file before exiting. */
  stop(): Promise<void>;
  running(): boolean;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket; true when the server answers PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function persistenceArgs(persistence: RedisPersistence): string[] {
  if (persistence === 'none') return ['--appendonly', 'no'];
  return ['--appendonly', 'yes', '--appendfsync', persistence];
}

export async function startPrivateRedis(options: { persistence?: RedisPersistence; port?: number } = {}): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'streamfold-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...persistenceArgs(options.persistence ?? 'none')];
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    if (child && child.exitCode === null) return;
    output = '';
    const spawned = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    spawned.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    spawned.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const failed = new Promise<never>((_, reject) => {
      spawned.once('error', (error) => reject(new Error(`cannot run redis-server (is it installed? apt-get install redis-server): ${error.message}`)));
      spawned.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with ${code}:\n${output}`)));
    });
    failed.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await Promise.race([ping(port), failed])) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    start,
    stop,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
