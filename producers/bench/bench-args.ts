/** Command line of the produce benchmark. */
import { parseCli } from '../../lib/cli/cli';
import { intFlag, noPositionals } from '../../lib/cli/flag-values';
import { DEFAULT_BATCH_SETTINGS } from '../send-batcher';

export const BENCH_USAGE = `usage: npm run bench:produce -- [options]
Publishes the same generated events (a) through the Publisher (validation,
Avro, schema registry) and (b) with the raw Kafka client (@platformatic/kafka)
sending the same pre-encoded bytes, to separate topics, and reports events/s of
each and their ratio.
  --events <n>        events per path and round (default 200000)
  --rounds <n>        measured rounds; medians are reported (default 5)
  --segment <n>       a round interleaves the paths in segments of this many events, alternating which
                      goes first, so both see the same background load (default 20000)
  --batch-size <n>    messages per Kafka request, both paths (default ${DEFAULT_BATCH_SETTINGS.maxBatchMessages})
  --linger-ms <n>     publisher linger (default ${DEFAULT_BATCH_SETTINGS.lingerMs})
  --call-size <n>     events per publish call on the Avro path (default 1000)
  --in-flight <n>     publish calls awaiting acknowledgement on the Avro path (default: enough to keep
                      batches full, 2 × batch-size / call-size + 1)
  --seed <n>          load generator seed (default 42)
  --out <file>        JSON result (default bench-results/produce.json)
  --keep-topics       keep the benchmark's topics (default: deleted at the end)
  --json              print the JSON result instead of the table`;

export interface BenchArgs {
  readonly events: number;
  readonly rounds: number;
  readonly segment: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly callSize: number;
  readonly inFlight: number | undefined;
  readonly seed: number;
  readonly out: string;
  readonly keepTopics: boolean;
  readonly json: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values, positionals } = parseCli(argv, {
    events: { type: 'string' },
    rounds: { type: 'string' },
    segment: { type: 'string' },
    'batch-size': { type: 'string' },
    'linger-ms': { type: 'string' },
    'call-size': { type: 'string' },
    'in-flight': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    'keep-topics': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  noPositionals(positionals);
  return {
    events: values.events === undefined ? 200_000 : intFlag('events', values.events, 1),
    rounds: values.rounds === undefined ? 5 : intFlag('rounds', values.rounds, 1),
    segment: values.segment === undefined ? 20_000 : intFlag('segment', values.segment, 1),
    batchSize: values['batch-size'] === undefined ? DEFAULT_BATCH_SETTINGS.maxBatchMessages : intFlag('batch-size', values['batch-size'], 1),
    lingerMs: values['linger-ms'] === undefined ? DEFAULT_BATCH_SETTINGS.lingerMs : intFlag('linger-ms', values['linger-ms'], 0),
    callSize: values['call-size'] === undefined ? 1000 : intFlag('call-size', values['call-size'], 1),
    inFlight: values['in-flight'] === undefined ? undefined : intFlag('in-flight', values['in-flight'], 1),
    seed: values.seed === undefined ? 42 : intFlag('seed', values.seed, Number.MIN_SAFE_INTEGER),
    out: values.out ?? 'bench-results/produce.json',
    keepTopics: values['keep-topics'] ?? false,
    json: values.json ?? false,
  };
}
