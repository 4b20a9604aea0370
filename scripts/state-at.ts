/**
 * An order's state at an instant of event time, and its audit trail.
 *
 *   scripts/state-at <orderId> --at <ISO time|epoch ms> [--source kafka|clickhouse|both] [--lateness <d>] [--json]
 *
 * Folds the order's events with occurredAt at or before --at, read from the
 * log (KAFKA_BROKERS, TOPIC_PREFIX) and from the ClickHouse events table
 * (CLICKHOUSE_URL, CLICKHOUSE_DATABASE), with the order aggregator's fold.
 * Exit code 0 when the sources agree, 1 when they differ, the order has no
 * event by then, or a service cannot be reached; 2 on a usage error.
 */
import { createClickHouse } from '../lib/clients/clickhouse';
import { topicNames } from '../lib/topics';
import { registryCodec } from '../lib/streaming/registry-codec';
import { durationFlag } from '../lib/cli/flag-values';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, parseCli, runCli } from '../lib/cli/cli';
import { parseInstant } from './ops/instant';
import { clickHouseAnswer, kafkaAnswer } from './ops/state-at-sources';
import { SourceAnswer, formatStateAt, noEvents, stateAtJson, stateAtReport } from './ops/state-at-report';

const USAGE = `usage: scripts/state-at <orderId> --at <ISO time|epoch ms> [--source kafka|clickhouse|both] [--lateness <d>] [--json]
  --at        the instant, in event time (occurredAt): an ISO-8601 time with a zone or epoch milliseconds
  --source    where to read the order's events (default both, and say whether they agree):
              kafka       orders.events and payments.events, the order's partition
              clickhouse  the ClickHouse sink's events table
  --lateness  read the log only up to the records appended by --at plus this (offsets-for-times), e.g. 10m;
              faster on a long log, but exact only if every event is published within that time of its
              occurredAt (default: read to the end, always exact)
  --json      print JSON instead of text
Exit code: 0 the state is known (and the sources agree), 1 they differ, no event of the order by then,
or a service is unreachable, 2 usage error.`;

const SOURCES = ['kafka', 'clickhouse', 'both'] as const;
type SourceOption = (typeof SOURCES)[number];

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    at: { type: 'string' },
    source: { type: 'string' },
    lateness: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [orderId, ...extra] = positionals;
  if (orderId === undefined || orderId === '') throw new UsageError('which order? give its id');
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  if (values.at === undefined) throw new UsageError('--at is required: the instant to fold the order up to');
  const at = parseInstant('at', values.at);
  const source = (values.source ?? 'both') as SourceOption;
  if (!SOURCES.includes(source)) throw new UsageError(`--source must be kafka, clickhouse or both, got ${JSON.stringify(values.source)}`);
  const lateness = values.lateness === undefined ? undefined : durationFlag('lateness', values.lateness, { allowZero: true });
  if (lateness !== undefined && source === 'clickhouse') throw new UsageError('--lateness bounds the Kafka read: it goes with --source kafka or both');

  const { config, logger } = cliContext('state-at');
  const answers: SourceAnswer[] = [];
  if (source !== 'clickhouse') {
    const kafka = { ...config.kafka, clientId: 'state-at' };
    const codec = registryCodec(config, logger, { autoRegister: false });
    const bound = lateness === undefined ? {} : { appendedBefore: at.getTime() + lateness + 1 };
    answers.push(await kafkaAnswer({ kafka, topics: topicNames(config.topicPrefix), topicPrefix: config.topicPrefix, codec, logger, orderId, ...bound }, at));
  }
  if (source !== 'kafka') {
    const client = createClickHouse(config.clickhouse);
    try {
      answers.push(await clickHouseAnswer(client, config.clickhouse.database, orderId, at));
    } finally {
      await client.close();
    }
  }
  const report = stateAtReport(orderId, at, answers);
  if (noEvents(report)) {
    process.stderr.write(
      `no events for order ${orderId} at or before ${at.toISOString()} in ${answers.map((a) => a.readFrom).join(' nor ')}; wrong id, a time before the order, or another TOPIC_PREFIX/CLICKHOUSE_DATABASE?\n`,
    );
    return EXIT_FAILED;
  }
  process.stdout.write(`${values.json ? JSON.stringify(stateAtJson(report), null, 2) : formatStateAt(report)}\n`);
  return report.differences.length === 0 ? EXIT_OK : EXIT_FAILED;
}

runCli(USAGE, main);
