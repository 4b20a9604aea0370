/**
 * Sink services as child processes on a test pipeline's prefix, with a key
 * prefix of their own, and what tests read from them (/metrics).
 */
import type { ChildProcess } from 'node:child_process';
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
