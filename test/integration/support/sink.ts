/**
 * Sink services as child processes on a test pipeline's prefix, with a key
 * prefix of their own, what tests read from them (/metrics), and a relay to
 * take a service away from them.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { spawnService, TestPipeline } from './pipeline';

export interface SpawnedSink {
  readonly child: ChildProcess;
  readonly httpPort: number;
}

/** The consumer group of a sink service on the pipeline. */
export function sinkGroup(pipeline: TestPipeline, service: string): string {
  return `${pipeline.prefix}${service}`;
}

/** sinks/<name>/main.ts with TOPIC_PREFIX of the pipeline, on a free HTTP port. */
export async function spawnSink(name: string, pipeline: TestPipeline, env: Record<string, string> = {}): Promise<SpawnedSink> {
  return spawnService(path.join('sinks', name, 'main.ts'), pipeline, env);
}

/** One metric's value from the sink's /metrics (sum over label sets matching `labels`); undefined when unreachable. */
export async function sinkMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return undefined;
  }
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function sinkHealth(port: number): Promise<{ status: number; body: { ready: boolean; detail: Record<string, unknown> } } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`);
    return { status: response.status, body: (await response.json()) as { ready: boolean; detail: Record<string, unknown> } };
  } catch {
    return undefined;
  }
}

/**
 * A TCP relay on loopback in front of a shared service (ClickHouse, the
 * schema registry), so a test can take the service away from a sink and
 * bring it back without touching the real server. `port` stays the same
 * across down() and up().
 */
export class TcpRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  /** The target's URL with the relay's host and port. */
  url(): string {
    const url = new URL(this.target.href);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.href.replace(/\/$/, '');
  }

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
