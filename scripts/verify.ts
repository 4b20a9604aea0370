/**
 * Checks the order and fraud projections against the log.
 *
 *   scripts/verify [--orders <n>|all] [--wait <d>] [--limit <n>] [--json]
 *
 * Folds orders.events and payments.events with the order aggregator itself,
 * then compares the Redis sink's order hashes and the ClickHouse sink's
 * order_state with the folded states, field by field, and the orders per
 * status of each store. Then reads the fraud detector's output to its end
 * and compares the Redis counters hashes (latest fraud.counters value per
 * customer), the ClickHouse fraud_alerts (each alert of fraud.alerts once)
 * and the Redis recent alerts (each customer's newest alerts). Reads KAFKA_BROKERS, TOPIC_PREFIX, REDIS_URL,
 * REDIS_KEY_PREFIX, CLICKHOUSE_URL and CLICKHOUSE_DATABASE as the services do.
 */
import { createClickHouse } from '../lib/clients/clickhouse';
import { requireTopics } from '../lib/admin/require-topics';
import { createAdmin } from '../lib/kafka/clients';
import { createRedis } from '../lib/clients/redis';
import { redactUrl } from '../lib/config/env';
import { topicNames } from '../lib/topics';
import { registryCodec } from '../lib/streaming/registry-codec';
import { durationFlag, intFlag } from '../lib/cli/flag-values';
import { redisKeys, sinkKeyPrefix } from '../sinks/redis/keys';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, parseCli, runCli } from '../lib/cli/cli';
import { describeLag, laggingAfter, projectionGroups } from './ops/projection-lag';
import { progressPrinter } from './ops/read-progress';
import { agrees, formatVerify, verifyJson, VerifyStores } from './ops/verify-report';
import { verifyProjections } from './ops/verify-projections';

const USAGE = `usage: scripts/verify [--orders <n>|all] [--wait <d>] [--limit <n>] [--json]
Compares Redis and ClickHouse with the log: orders (hashes, order_state, counts per status), fraud
counters (Redis hashes against fraud.counters) and fraud alerts (ClickHouse fraud_alerts and Redis'
recent alerts against fraud.alerts).
  --orders  how many orders to compare field by field, picked at random, or all (default all; with all,
            orders a store holds that the log does not are reported too). Status counts always cover
            every order. Orders only: the fraud counters and alerts are always checked whole.
  --wait    first wait up to this long (e.g. 2m) for the order aggregator and both sinks to catch up
            with the log; without it a lagging group is reported as a warning, and records in flight
            show as mismatches
  --limit   how many mismatches to print per check (default 50); the counts are always given
  --json    print JSON instead of text
Reads KAFKA_BROKERS, TOPIC_PREFIX, REDIS_URL, REDIS_KEY_PREFIX, CLICKHOUSE_URL, CLICKHOUSE_DATABASE.
Exit code: 0 Redis and ClickHouse agree with the log, 1 they do not (or the groups did not catch up
within --wait, or a service is unreachable), 2 usage error.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    orders: { type: 'string' },
    wait: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
  const orders = values.orders === undefined || values.orders === 'all' ? 'all' : intFlag('orders', values.orders, 1);
  const waitMs = values.wait === undefined ? undefined : durationFlag('wait', values.wait);
  const limit = values.limit === undefined ? 50 : intFlag('limit', values.limit, 0);

  const { config, logger } = cliContext('verify');
  const say = (line: string) => process.stderr.write(line);
  const kafka = { ...config.kafka, clientId: 'verify' };
  const topics = topicNames(config.topicPrefix);

  const admin = createAdmin(kafka, 'verify');
  try {
    await requireTopics(
      admin,
      [topics.orderEvents, topics.paymentEvents, topics.orderState, topics.fraudCounters, topics.fraudAlerts],
      'verify',
      config.topicPrefix,
    );
    const lagging = await laggingAfter(admin, projectionGroups(config), waitMs ?? 0);
    if (lagging.length > 0 && waitMs !== undefined) {
      for (const lag of lagging) say(`${describeLag(lag)} after waiting ${values.wait}\n`);
      return EXIT_FAILED;
    }
    for (const lag of lagging) say(`warning: ${describeLag(lag)}; records in flight will show as mismatches (--wait waits for the catch-up)\n`);
  } finally {
    await admin.close();
  }

  const codec = registryCodec(config, logger, { autoRegister: false });
  const keys = redisKeys(sinkKeyPrefix(config));
  const redis = createRedis(config.redis, { lazyConnect: true });
  redis.on('error', () => undefined); // reported by the failing command
  const clickhouse = createClickHouse(config.clickhouse);
  try {
    try {
      await redis.connect();
    } catch (error) {
      throw new Error(
        `cannot reach Redis at ${redactUrl(config.redis.url)} (REDIS_URL): ${error instanceof Error ? error.message : String(error)}; is it running (scripts/infra status)?`,
        { cause: error },
      );
    }
    const result = await verifyProjections({
      kafka,
      topics,
      codec,
      logger,
      onProgress: progressPrinter(say),
      redis,
      keys,
      clickhouse,
      database: config.clickhouse.database,
      orders,
    });
    const stores: VerifyStores = {
      redis: `keys ${keys.order('*')}`,
      clickhouse: `${config.clickhouse.database}.order_state`,
      redisCounters: `keys ${keys.fraudCounters('*')}`,
      redisAlerts: `keys ${keys.alerts('*')}`,
      clickhouseAlerts: `${config.clickhouse.database}.fraud_alerts FINAL`,
    };
    process.stdout.write(`${values.json ? JSON.stringify(verifyJson(result, limit), null, 2) : formatVerify(result, stores, limit)}\n`);
    return agrees(result) ? EXIT_OK : EXIT_FAILED;
  } finally {
    redis.disconnect();
    await clickhouse.close();
  }
}

runCli(USAGE, main);
