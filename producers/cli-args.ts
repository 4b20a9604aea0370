/** Command line of the producer CLI (producers/cli.ts). */
import { UsageError, parseCli } from '../lib/cli/cli';
import { CATALOG_TOPICS } from '../schemas/catalog';
import { noPositionals } from '../lib/cli/flag-values';

export const PRODUCER_USAGE = `usage: npm run produce -- [--file <events.jsonl>] [--topic <topic>] [--prefix <p>] [--json]
Publishes events from a JSON-lines file (or stdin), one event per line:
  {"topic":"orders.events","type":"OrderPlaced","value":{"envelope":{…},…}}
  {"topic":"customers","key":"cust-1","value":null}          (a tombstone)
  topic  a catalog topic: ${CATALOG_TOPICS.join(', ')}
  type   the record's short name (OrderPlaced, PaymentAuthorized, CustomerProfile, …)
  key    optional; default value.envelope.aggregateId
  value  the record as in schemas/*.avsc; timestamps as ISO-8601 strings with a zone or epoch ms;
         money as integer cents; null for a tombstone (key required)
A bad line (invalid JSON, unknown topic or type, schema violation) is reported on stderr as
"line N: reason" and skipped; the valid lines are published.
  --file <path>    input file (default, or "-": stdin)
  --topic <topic>  topic of lines that do not name one
  --prefix <p>     topic prefix (default: TOPIC_PREFIX)
  --json           print the summary as JSON
Exit code: 0 every line was published, 1 some line failed (or Kafka did), 2 usage error.`;

export interface ProducerArgs {
  /** undefined: stdin. */
  readonly file: string | undefined;
  readonly topic: string | undefined;
  readonly prefix: string | undefined;
  readonly json: boolean;
}

export function parseProducerArgs(argv: readonly string[]): ProducerArgs {
  const { values, positionals } = parseCli(argv, {
    file: { type: 'string' },
    topic: { type: 'string' },
    prefix: { type: 'string' },
    json: { type: 'boolean' },
  });
  noPositionals(positionals);
  const { topic, prefix } = values;
  if (topic !== undefined && !(CATALOG_TOPICS as readonly string[]).includes(topic)) {
    throw new UsageError(`--topic: unknown topic ${JSON.stringify(topic)}; use a catalog topic without prefix: ${CATALOG_TOPICS.join(', ')}`);
  }
  if (prefix !== undefined && !/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new UsageError(`--prefix: ${JSON.stringify(prefix)} may only contain letters, digits, '.', '_' and '-' (Kafka topic characters)`);
  }
  if (values.file === '') throw new UsageError('--file: empty path; give a file, or "-" (or no --file) for stdin');
  return { file: values.file === '-' ? undefined : values.file, topic, prefix, json: values.json ?? false };
}
