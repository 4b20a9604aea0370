/**
 * The store's own ceiling, measured with redis-benchmark on the same Redis
 * as the sink: pipelined SET and HSET, and the sink's own script
 * (apply-order-state.lua with a realistic order hash) on fresh keys.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ORDER_HASH_FIELDS } from '../redis/order-hash';
import { LuaScripts } from '../redis/lua-scripts';

const run = promisify(execFile);

export interface CeilingResult {
  readonly test: string;
  readonly requestsPerSecond: number;
  readonly command: string;
}

/**
 * redis-benchmark --csv prints `"test","rps",` and six latency columns, one
 * row per test. A custom command's test name is the command itself, which
 * may hold commas and quotes (JSON arguments), so rows are matched from the
 * right.
 */
export function parseBenchmarkCsv(text: string): Array<{ test: string; rps: number }> {
  const rows: Array<{ test: string; rps: number }> = [];
  const row = /^"(.*)","([0-9.]+)"(?:,"[0-9.]+"){6}$/;
  for (const line of text.split('\n')) {
    const match = row.exec(line.trim());
    if (match && Number(match[2]) > 0) rows.push({ test: match[1] as string, rps: Number(match[2]) });
  }
  return rows;
}

async function benchmark(port: number, args: string[]): Promise<Array<{ test: string; rps: number }>> {
  try {
    const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], { maxBuffer: 16 * 1024 * 1024 });
    return parseBenchmarkCsv(stdout);
  } catch (error) {
    throw new Error(`redis-benchmark failed (is it installed? it comes with redis-server): ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

export async function measureRedisCeiling(
  port: number,
  options: { requests: number; pipeline: number; scripts: LuaScripts; orderValues: ReadonlyArray<string | null> },
): Promise<CeilingResult[]> {
  const common = ['-P', String(options.pipeline), '-n', String(options.requests), '-r', '10000000'];
  const results: CeilingResult[] = [];
  for (const { test, rps } of await benchmark(port, [...common, '-t', 'set,hset'])) {
    results.push({ test, requestsPerSecond: rps, command: `redis-benchmark ${common.join(' ')} -t ${test.toLowerCase()}` });
  }
  // the sink's own script, one order per call (a lower bound: the sink packs up to 100 per call)
  const order = JSON.stringify([[1, 0, '1700000000000', 'order-id', 'customer-id', options.orderValues]]);
  const names = JSON.stringify(ORDER_HASH_FIELDS);
  const scriptArgs = [
    'EVALSHA',
    options.scripts.sha('applyOrderStates'),
    '2',
    'bench:order:__rand_int__',
    'bench:customer:__rand_int__:orders',
    'bench:customer:',
    ':orders',
    names,
    order,
  ];
  const [script] = await benchmark(port, [...common, ...scriptArgs]);
  if (script)
    results.push({
      test: 'EVALSHA apply-order-states (1 order per call)',
      requestsPerSecond: script.rps,
      command: `redis-benchmark ${common.join(' ')} EVALSHA <apply-order-states> 2 <order key> <index key> … <1 order>`,
    });
  return results;
}
