import { parseBenchmarkCsv } from '../../../sinks/bench/redis-ceiling';

test('redis-benchmark CSV rows, including a custom command whose arguments hold commas and quotes', () => {
  const text = [
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
    '"SET","749625.12","6.1","0.5","6.0","7.1","8.2","9.9"',
    '"EVALSHA abc 2 k1 k2 items [{"sku":"A","quantity":1}]","120000.00","40.1","1.2","39.0","45.0","46.0","50.0"',
  ].join('\n');
  expect(parseBenchmarkCsv(text)).toEqual([
    { test: 'SET', rps: 749625.12 },
    { test: 'EVALSHA abc 2 k1 k2 items [{"sku":"A","quantity":1}]', rps: 120000 },
  ]);
});
