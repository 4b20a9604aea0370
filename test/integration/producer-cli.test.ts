/**
 * producers/cli.ts as a person runs it, on a prefixed copy of the topics:
 * bad lines are reported by number and reason and skipped, good lines are
 * published, and the exit code says whether any line failed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOPIC } from '../../lib/topics';
import { EVENT_HEADER } from '../../producers/event-headers';
import { ROOT, TestPipeline, createTestPipeline, readAll } from './support/pipeline';
import { nodeArgs } from '../../lib/service/project-root';

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], stdin?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      nodeArgs('producers/cli.ts', ...args),
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: '' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin ?? '');
  });
}

const envelope = (id: string, aggregateId: string, version: number, occurredAt: string | number) => ({
  eventId: id,
  aggregateId,
  aggregateVersion: version,
  occurredAt,
  correlationId: `corr-${aggregateId}`,
  causationId: null,
  producer: 'cli-test',
});

const orderPlaced = (id: string, quantity: unknown) => ({
  topic: TOPIC.orderEvents,
  type: 'OrderPlaced',
  value: {
    envelope: envelope(`evt-${id}`, id, 1, '2024-05-01T12:00:00.000Z'),
    customerId: 'cust-1',
    items: [{ sku: 'SKU-MUG', quantity, unitPriceCents: 1250 }],
    totalCents: 2500,
    currency: 'EUR',
  },
});

const paymentAuthorized = {
  topic: TOPIC.paymentEvents,
  type: 'PaymentAuthorized',
  value: {
    // epoch milliseconds work as well as ISO strings
    envelope: envelope('evt-pay-1', 'order-1', 1, Date.parse('2024-05-01T12:00:05.000Z')),
    customerId: 'cust-1',
    paymentMethodId: 'pm-1',
    cardFingerprint: 'fp-1',
    amountCents: 2500,
    currency: 'EUR',
    country: 'FR',
  },
};

describe('producer CLI', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await createTestPipeline('producer-cli');
  });

  it('publishes the good lines of a file, reports each bad one by number and reason, and exits 1', async () => {
    const lines = [
      JSON.stringify(orderPlaced('order-1', 2)), // 1
      '{"topic": "orders.events", "type": "OrderPlaced", "value": {', // 2: cut short
      JSON.stringify(orderPlaced('order-2', '-1')), // 3: a negative quantity, as a string
      '', // 4: blank, skipped
      JSON.stringify({ topic: TOPIC.orderEvents, type: 'OrderPlace', value: {} }), // 5: unknown type
      JSON.stringify(paymentAuthorized), // 6
      JSON.stringify({ topic: TOPIC.paymentEvents, type: 'PaymentAuthorized', value: { ...paymentAuthorized.value, amountCents: undefined } }), // 7: missing field
      JSON.stringify({ topic: TOPIC.customers, key: 'cust-gone', value: null }), // 8: tombstone
    ];
    const dir = await mkdtemp(path.join(tmpdir(), 'producer-cli-'));
    const file = path.join(dir, 'events.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);

    const run = await runCli(['--file', file, '--prefix', pipeline.prefix]);

    expect(run.code).toBe(1);
    const reported = run.stderr.split('\n').filter((l) => l.startsWith('line '));
    expect(reported).toEqual([
      expect.stringMatching(/^line 2: invalid JSON: /),
      expect.stringMatching(
        /^line 3: invalid com\.streamfold\.orders\.OrderPlaced for topic orders\.events: items\[0\]\.quantity: expected an int \(32-bit integer\), got string "-1"$/,
      ),
      expect.stringMatching(/^line 5: topic orders\.events carries no record tagged "OrderPlace"/),
      expect.stringMatching(/^line 7: invalid com\.streamfold\.payments\.PaymentAuthorized for topic payments\.events: amountCents: required/),
    ]);
    expect(run.stdout).toContain('published 3 event(s): orders.events 1, payments.events 1, customers 1');
    expect(run.stdout).toContain('failed 4 line(s): 2, 3, 5, 7');

    const orders = await readAll(pipeline, pipeline.topics.orderEvents);
    expect(orders.map((m) => [m.key?.toString(), m.headers?.[EVENT_HEADER.id]?.toString()])).toEqual([['order-1', 'evt-order-1']]);
    const decoded = await pipeline.codec.decode(pipeline.topics.orderEvents, orders[0]!.value!);
    expect(decoded.value).toMatchObject({ envelope: { occurredAt: new Date('2024-05-01T12:00:00.000Z') }, items: [{ quantity: 2 }] });
    const payments = await readAll(pipeline, pipeline.topics.paymentEvents);
    expect(payments.map((m) => m.key?.toString())).toEqual(['order-1']);
    const customers = await readAll(pipeline, pipeline.topics.customers);
    expect(customers.map((m) => [m.key?.toString(), m.value])).toEqual([['cust-gone', null]]);
  });

  it('reads stdin, takes --topic for lines without one, and exits 0 with a JSON summary when every line is published', async () => {
    const { topic: _topic, ...withoutTopic } = orderPlaced('order-3', 1);
    const run = await runCli(['--topic', TOPIC.orderEvents, '--prefix', pipeline.prefix, '--json'], `${JSON.stringify(withoutTopic)}\n`);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      lines: 1,
      published: 1,
      byTopic: { [TOPIC.orderEvents]: 1 },
      failedLines: [],
      error: null,
      interrupted: false,
    });
  });

  it('exits 2 on a usage error, naming the flag', async () => {
    const run = await runCli(['--topic', 'orders']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--topic: unknown topic "orders"/);
  });
});
