/** Command line of the load generator runner (producers/loadgen/run.ts). */
import { DEFAULT_FUTURE_TOLERANCE_MS } from '../../lib/domain/validation/rules';
import { UsageError, parseCli } from '../../lib/cli/cli';
import { durationFlag, intFlag, noPositionals, onOffFlag, positiveNumberFlag } from '../../lib/cli/flag-values';
import { DEFAULT_LOADGEN_OPTIONS } from './options';
import type { LoadgenRunOptions } from './runner';
import type { StartOption } from './run-timing';

export const LOADGEN_USAGE = `usage: npm run loadgen -- (--orders <n> | --duration <d>) [options]
Publishes realistic order lifecycles (customers, orders, payments, with fraud patterns),
deterministic from the seed, at a target rate.
  --orders <n>           orders to generate, each with its whole lifecycle
  --duration <d>         stop after this long: 500ms, 30s, 5m, 1h (either or both; the first reached ends the run)
  --rate <events/s>      target rate (default: as fast as Kafka takes them)
  --seed <n>             (default ${DEFAULT_LOADGEN_OPTIONS.seed})
  --customers <n>        customers, published first (default ${DEFAULT_LOADGEN_OPTIONS.customers})
  --fraud on|off         inject fraud patterns (default on)
  --start auto|now|<ISO> event time (occurredAt) of the run (default auto):
                         auto  a realistic history ending about now (orders 2 s apart in event time),
                               published as fast as --rate allows, when the size is known (--orders, or
                               --duration with --rate); otherwise as "now"
                         now   event time follows the clock from now; with --rate, orders come as often
                               as the rate needs; events wait for their time
                         ISO   a fixed start, e.g. 2024-05-01T00:00:00Z: reproducible timestamps
  --order-interval <d>   mean event-time gap between orders (default 2000ms; from --rate with --start now)
  --time-scale <x>       lifecycle delay multiplier (default 1/8640, a day in 10 s; 1 with a fixed --start)
  --max-lead <d>         how far ahead of the clock an event may be published (default 5s)
  --prefix <p>           topic prefix (default: TOPIC_PREFIX)
  --json                 print the summary as JSON
Progress goes to stderr about once a second; the summary to stdout.`;

export interface LoadgenArgs {
  readonly run: Omit<LoadgenRunOptions, 'publisher'>;
  readonly prefix: string | undefined;
  readonly json: boolean;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function startFlag(value: string): StartOption {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'auto' || normalized === 'now') return normalized;
  const date = new Date(value);
  if (!ISO_WITH_ZONE.test(value.trim()) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--start must be auto, now or an ISO-8601 time with a zone (e.g. 2024-05-01T00:00:00Z), got ${JSON.stringify(value)}`);
  }
  return date;
}

/** A number, or a fraction such as 1/8640. */
function scaleFlag(value: string): number {
  const fraction = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (fraction) {
    const scale = Number(fraction[1]) / Number(fraction[2]);
    if (Number.isFinite(scale) && scale > 0) return scale;
    throw new UsageError(`--time-scale must be a number > 0 or a fraction such as 1/8640, got ${JSON.stringify(value)}`);
  }
  return positiveNumberFlag('time-scale', value);
}

export function parseLoadgenArgs(argv: readonly string[]): LoadgenArgs {
  const { values, positionals } = parseCli(argv, {
    orders: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    customers: { type: 'string' },
    fraud: { type: 'string' },
    start: { type: 'string' },
    'order-interval': { type: 'string' },
    'time-scale': { type: 'string' },
    'max-lead': { type: 'string' },
    prefix: { type: 'string' },
    json: { type: 'boolean' },
  });
  noPositionals(positionals);
  if (values.orders === undefined && values.duration === undefined) {
    throw new UsageError('give --orders <n> (a count) or --duration <d> (e.g. 60s), or both');
  }
  if (values.prefix !== undefined && !/^[A-Za-z0-9._-]*$/.test(values.prefix)) {
    throw new UsageError(`--prefix: ${JSON.stringify(values.prefix)} may only contain letters, digits, '.', '_' and '-' (Kafka topic characters)`);
  }
  const run: Omit<LoadgenRunOptions, 'publisher'> = {
    orders: values.orders === undefined ? undefined : intFlag('orders', values.orders, 1),
    durationMs: values.duration === undefined ? undefined : durationFlag('duration', values.duration),
    rate: values.rate === undefined ? undefined : positiveNumberFlag('rate', values.rate),
    seed: values.seed === undefined ? undefined : intFlag('seed', values.seed, Number.MIN_SAFE_INTEGER),
    customers: values.customers === undefined ? undefined : intFlag('customers', values.customers, 1),
    fraud: values.fraud === undefined ? undefined : onOffFlag('fraud', values.fraud),
    start: values.start === undefined ? undefined : startFlag(values.start),
    orderIntervalMs: values['order-interval'] === undefined ? undefined : durationFlag('order-interval', values['order-interval']),
    lifecycleTimeScale: values['time-scale'] === undefined ? undefined : scaleFlag(values['time-scale']),
    maxLeadMs: values['max-lead'] === undefined ? undefined : durationFlag('max-lead', values['max-lead'], { allowZero: true }),
  };
  if (run.maxLeadMs !== undefined && run.maxLeadMs >= DEFAULT_FUTURE_TOLERANCE_MS) {
    throw new UsageError(
      `--max-lead must be below ${DEFAULT_FUTURE_TOLERANCE_MS / 60_000}m: the validator rejects events further ahead of its clock, got ${values['max-lead']}`,
    );
  }
  return { run, prefix: values.prefix, json: values.json ?? false };
}
