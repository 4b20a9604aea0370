/**
 * The end of `scripts/pipeline`: waits until every processor and sink has
 * caught up with what was published, then prints what a person wants to
 * see: events in, order states, alerts fired, dead letters, a few lookups
 * from Redis, a few analytics queries from ClickHouse, and the lag.
 *
 *   scripts/lib/run scripts/pipeline-summary.ts [--timeout 180s]
 */
import { createClickHouse } from '../lib/clients/clickhouse';
import { createAdmin } from '../lib/kafka/clients';
import { topicOffsets } from '../lib/kafka/topic-offsets';
import { createRedis } from '../lib/clients/redis';
import { loadConfig } from '../lib/config';
import { consumerLag, PartitionLag, totalLag } from '../lib/admin/consumer-lag';
import { worstLevel } from '../lib/admin/lag-level';
import { groupTimeLag } from '../lib/admin/time-lag';
import { createLogger } from '../lib/logger';
import { deadLetterTopic, topicNames } from '../lib/topics';
import { customersWithMostAlerts, ordersByStatus, revenuePerDay, runQuery, topSkus } from '../sinks/clickhouse/queries';
import { readCustomer, readOrder } from '../sinks/redis/read-model';
import { redisKeys, sinkKeyPrefix } from '../sinks/redis/keys';
import { PIPELINE_SERVICES } from './pipeline-services';

const config = loadConfig();
const logger = createLogger('pipeline-summary', 'warn');
const topics = topicNames(config.topicPrefix);

/** Who reads what: the groups whose lag says whether the pipeline caught up. */
const READERS = PIPELINE_SERVICES.map((service) => ({ group: service.group(config), topics: service.inputs(config, logger) }));

function timeoutMs(): number {
  const at = process.argv.indexOf('--timeout');
  const text = at >= 0 ? (process.argv[at + 1] ?? '') : '180s';
  const match = /^(\d+)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`--timeout must look like 90s, 3m or 500ms (got "${text}")`);
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[match[2] as 'ms' | 's' | 'm'];
}

const line = (text = '') => process.stdout.write(`${text}\n`);
const cents = (value: number | string) => (Number(value) / 100).toFixed(2);

async function main(): Promise<void> {
  const admin = createAdmin(config.kafka, config.kafka.clientId);

  const deadline = Date.now() + timeoutMs();
  let lags: Array<{ group: string; lags: readonly PartitionLag[] }>;
  for (;;) {
    lags = await Promise.all(READERS.map(async (r) => ({ group: r.group, lags: await consumerLag(admin, r.group, r.topics) })));
    const behind = lags.reduce((sum, l) => sum + totalLag(l.lags), 0);
    if (behind === 0) break;
    if (Date.now() > deadline) {
      line(`not caught up after the timeout: ${behind} records still to process (see scripts/services logs <service>)`);
      break;
    }
    process.stderr.write(`[summary] waiting for the pipeline to catch up: ${behind} records to go\n`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }

  const records = async (topic: string) => (await topicOffsets(admin, topic)).reduce((sum, o) => sum + o.high - o.low, 0);
  line('== events in (Kafka) ==');
  for (const topic of [topics.customers, topics.orderEvents, topics.paymentEvents, topics.customerActivity, topics.orderState, topics.fraudAlerts]) {
    line(`  ${topic.padEnd(36)} ${await records(topic)} records`);
  }
  for (const topic of [topics.orderEvents, topics.paymentEvents, topics.customerActivity]) {
    line(`  ${deadLetterTopic(topic).padEnd(36)} ${await records(deadLetterTopic(topic))} dead letters`);
  }
  const timeLags = await Promise.all(READERS.map((r) => groupTimeLag(config.kafka, admin, r.group, r.topics, logger)));
  await admin.close();

  const clickhouse = createClickHouse(config.clickhouse, 'default');
  const db = config.clickhouse.database;
  line('\n== order states and analytics (ClickHouse) ==');
  const statuses = await runQuery(clickhouse, ordersByStatus(db));
  line(`  orders by status: ${statuses.map((s) => `${s.status} ${s.orders}`).join(', ')}`);
  for (const day of (await runQuery(clickhouse, revenuePerDay(db))).slice(-3)) {
    line(`  revenue ${day.day} ${day.currency}: captured ${cents(day.capturedCents)}, refunded ${cents(day.refundedCents)}, net ${cents(day.netCents)}`);
  }
  line(`  top SKUs: ${(await runQuery(clickhouse, topSkus(db, { limit: 5 }))).map((s) => `${s.sku} (${s.units})`).join(', ') || 'none delivered yet'}`);
  const alerted = await runQuery(clickhouse, customersWithMostAlerts(db, { limit: 3 }));
  line(`  alerts fired: customers with most alerts: ${alerted.map((c) => `${c.customerId} ${c.alerts} (${c.rules.join(', ')})`).join('; ') || 'none'}`);
  await clickhouse.close();

  const redis = createRedis(config.redis);
  const keys = redisKeys(sinkKeyPrefix(config));
  line('\n== lookups (Redis) ==');
  const customerId = alerted[0]?.customerId;
  if (customerId) {
    const customer = await readCustomer(redis, keys, customerId, 3);
    line(`  customer ${customerId}: ${customer?.orderCount ?? 0} orders, ${customer?.alerts.length ?? 0} alerts`);
    for (const order of customer?.recentOrders ?? []) {
      const view = await readOrder(redis, keys, order.orderId);
      line(
        `    order ${order.orderId}: ${view?.status ?? 'gone'}, ${order.totalCents === null ? '?' : cents(order.totalCents)} ${order.currency ?? ''}, payment ${order.paymentStatus ?? '?'}`,
      );
    }
    line(`  more: scripts/lookup customer ${customerId}   scripts/lookup order <orderId>`);
  } else {
    line('  no fraud alerts yet; try scripts/lookup customer <customerId>');
  }
  await redis.quit();

  line('\n== lag (scripts/lag for every partition) ==');
  for (const [i, partitions] of timeLags.entries()) {
    const oldest = Math.max(0, ...partitions.map((p) => p.timeLagMs));
    const name = READERS[i]?.group ?? '';
    line(`  ${name.padEnd(36)} ${String(totalLag(partitions)).padStart(6)} records behind, oldest ${oldest} ms: ${worstLevel(partitions.map((p) => p.level))}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`pipeline summary failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
