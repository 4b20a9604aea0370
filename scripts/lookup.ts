/**
 * Looks an order or a customer up in Redis, as the Redis sink wrote it.
 *
 *   scripts/lookup order <orderId> [--json]
 *   scripts/lookup customer <customerId> [--orders <n>] [--json]
 *
 * Reads Redis only (REDIS_URL, REDIS_KEY_PREFIX and TOPIC_PREFIX, as the
 * sink uses them). Exit code 0 when found, 1 when Redis holds nothing for
 * the id (or cannot be reached), 2 on a usage error.
 */
import { createRedis } from '../lib/clients/redis';
import { redactUrl } from '../lib/config/env';
import { redisKeys, sinkKeyPrefix } from '../sinks/redis/keys';
import { formatCustomer, formatOrder } from '../sinks/redis/lookup-format';
import { readCustomer, readOrder } from '../sinks/redis/read-model';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, parseCli, runCli } from '../lib/cli/cli';

const USAGE = `usage: scripts/lookup order <orderId> [--json]
       scripts/lookup customer <customerId> [--orders <n>] [--json]
  order      the order as the Redis sink holds it: status, amounts, times, items
  customer   the customer's most recent orders (status, total), fraud counters and recent alerts
  --orders   how many recent orders to show (default 10)
  --json     print JSON instead of text
Reads Redis only: REDIS_URL, REDIS_KEY_PREFIX and TOPIC_PREFIX as the Redis sink uses them.
Exit code: 0 found, 1 not in Redis (or Redis unreachable), 2 usage error.`;

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    json: { type: 'boolean' },
    orders: { type: 'string' },
  });
  const [kind, id, ...extra] = positionals;
  if (kind !== 'order' && kind !== 'customer')
    throw new UsageError(kind === undefined ? 'say what to look up: order or customer' : `unknown kind ${JSON.stringify(kind)}: order or customer`);
  if (id === undefined || id === '') throw new UsageError(`which ${kind}? give its id`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const recent = values.orders === undefined ? 10 : Number(values.orders);
  if (!Number.isInteger(recent) || recent < 1) throw new UsageError(`--orders must be a positive integer, got ${values.orders}`);
  if (kind === 'order' && values.orders !== undefined) throw new UsageError('--orders goes with customer');

  const { config } = cliContext('lookup');
  const keys = redisKeys(sinkKeyPrefix(config));
  const redis = createRedis(config.redis, { lazyConnect: true });
  redis.on('error', () => undefined); // reported by the failing command below
  try {
    try {
      await redis.connect();
    } catch (error) {
      throw new Error(
        `cannot reach Redis at ${redactUrl(config.redis.url)} (REDIS_URL): ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}; is it running (scripts/infra status)?`,
        { cause: error },
      );
    }
    const print = (text: string) => process.stdout.write(`${text}\n`);
    if (kind === 'order') {
      const order = await readOrder(redis, keys, id);
      if (order === undefined) {
        process.stderr.write(
          `order ${id} is not in Redis (no key ${keys.order(id)}); wrong id, another TOPIC_PREFIX/REDIS_KEY_PREFIX, or not consumed yet by the Redis sink?\n`,
        );
        return EXIT_FAILED;
      }
      print(values.json ? JSON.stringify(order, null, 2) : formatOrder(order, keys.order(id)));
    } else {
      const customer = await readCustomer(redis, keys, id, recent);
      if (customer === undefined) {
        process.stderr.write(
          `customer ${id} is not in Redis (no ${keys.customerOrders(id)}, ${keys.fraudCounters(id)} or ${keys.alerts(id)}); wrong id, another TOPIC_PREFIX/REDIS_KEY_PREFIX, or not consumed yet?\n`,
        );
        return EXIT_FAILED;
      }
      print(values.json ? JSON.stringify(customer, null, 2) : formatCustomer(customer));
    }
    return EXIT_OK;
  } finally {
    redis.disconnect();
  }
}

runCli(USAGE, main);
