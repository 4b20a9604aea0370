import { BenchSummary, renderSummaryMarkdown, targetsOf } from '../../../scripts/bench/bench-summary';

const machine = {
  cpuModel: 'Xeon',
  cpuCount: 2,
  totalMemoryGiB: 23.5,
  platform: 'Linux',
  node: 'v20',
  kafkaClient: '@platformatic/kafka 2.12.1',
  kafka: '4.4.0',
  ioredis: '5.11.1',
  loadAverageAtStart: [1, 2, 3],
};

function summaryOf(runs: BenchSummary['runs']): BenchSummary {
  return { benchmark: 'all', startedAt: '2026-11-22T20:00:00.000Z', seconds: 600, machine, runs };
}

describe('benchmark summary', () => {
  it('reads a targets array as given', () => {
    const targets = [{ name: 'p99', measured: '84 ms', target: '< 100 ms', met: true }];
    expect(targetsOf({ benchmark: 'e2e-latency', targets })).toEqual(targets);
  });

  it('reads the produce benchmark’s ratio against its target', () => {
    expect(targetsOf({ benchmark: 'produce', ratio: 0.812, target: 0.8, meetsTarget: true })).toEqual([
      { name: expect.stringMatching(/^produce: Publisher events\/s ÷ raw client/), measured: '81.2%', target: '≥ 80.0%', met: true },
    ]);
  });

  it('reads a target object with met, finding each goal’s figure by name one level down', () => {
    expect(targetsOf({ benchmark: 'redis-sink', ratios: { sinkToRawClient: 0.183 }, target: { sinkToRawClient: 0.7, met: false } })).toEqual([
      { name: 'redis-sink: sinkToRawClient', measured: '0.183', target: '0.7', met: false },
    ]);
  });

  it('states no target for a shape it does not know, and the table shows that result as given', () => {
    const result = { benchmark: 'processors', targets: { aggregatorToRaw: 0.5 } };
    expect(targetsOf(result)).toBeNull();
    const summary = summaryOf([
      { script: 'bench:processors', exitCode: 0, seconds: 60, files: [{ file: 'processors.json', targets: null, result }] },
      {
        script: 'bench:latency',
        exitCode: 0,
        seconds: 50,
        files: [{ file: 'latency.json', targets: [{ name: 'p99', measured: '140 ms', target: '< 100 ms', met: false }], result: {} }],
      },
      { script: 'bench:replay', exitCode: 1, seconds: 5, files: [] },
    ]);
    const markdown = renderSummaryMarkdown(summary);
    expect(markdown).toContain('| bench:processors | processors.json | not stated | see below | – | – |');
    expect(markdown).toContain('| bench:latency | latency.json | p99 | 140 ms | < 100 ms | **missed** |');
    expect(markdown).toContain('| bench:replay | – | – | – | – | **failed** (exit 1, see its output) |');
    expect(markdown).toContain('## processors.json (as given)');
    expect(markdown).toContain('"aggregatorToRaw": 0.5');
  });
});

describe('benchmark summary, busy machine', () => {
  it('names the benchmarks that started on a machine that never got quiet', () => {
    const summary = summaryOf([
      { script: 'bench:produce', exitCode: 0, seconds: 10, quietWait: { seconds: 3, quiet: true, lastBusy: 0.05 }, files: [] },
      { script: 'bench:latency', exitCode: 0, seconds: 40, quietWait: { seconds: 90, quiet: false, lastBusy: 0.62 }, files: [] },
    ]);
    const markdown = renderSummaryMarkdown(summary);
    expect(markdown).toContain('Started on a busy machine (figures may suffer): bench:latency (62% of the cores busy after 90 s).');
    expect(markdown).not.toMatch(/bench:produce \(\d+% of the cores/);
  });
});
