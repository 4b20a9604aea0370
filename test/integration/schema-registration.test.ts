/**
 * scripts/schemas against the real registry, on subjects of their own
 * (a topic prefix per test): register is idempotent and sets levels
 * explicitly; check names the subject, the version and the field of a
 * breaking change, and the registry refuses the same change with 409.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { checkSchemas, describeCheck } from '../../lib/registry/check-schemas';
import { CompatibilityLevel } from '../../lib/registry/compatibility-level';
import { RecordSchema, catalogRecordSet, recordSchema } from '../../lib/registry/record-set';
import { createRegistryClient } from '../../lib/registry/registry-client';
import { SchemaIncompatibleError } from '../../lib/registry/registry-errors';
import { SchemaCheckFailedError, registerSchemas, registerSubject } from '../../lib/registry/register-schemas';
import { TOPIC } from '../../lib/topics';
import { JsonObject } from '../../schemas/json';
import { config, logger, uniqueName } from './support/env';

const registry = createRegistryClient(config.schemaRegistry, { logger });
const ROOT = path.resolve(__dirname, '../..');

function prefix(base: string): string {
  return `${uniqueName(base)}-`;
}

/** A record of a test topic with the given fields. */
function payment(topic: string, fields: JsonObject[], level?: CompatibilityLevel): RecordSchema {
  return recordSchema(topic, { type: 'record', name: 'Payment', namespace: 'com.streamfold.test', fields }, { compatibility: level });
}

/** The domain event topics: FULL_TRANSITIVE in schemas/catalog.ts. */
const EVENT_TOPICS: readonly string[] = [TOPIC.orderEvents, TOPIC.paymentEvents, TOPIC.customers];

const id = { name: 'paymentId', type: 'string' };
const amount = { name: 'amountCents', type: 'long' };
const currency = { name: 'currency', type: 'string' };

describe('register', () => {
  it('sets each level explicitly and registers every catalog record; a second run changes nothing', async () => {
    const records = catalogRecordSet(undefined, { topicPrefix: prefix('register') }).records;

    const first = await registerSchemas(registry, records, { logger });
    expect(first.map((r) => r.subject)).toEqual(records.map((r) => r.subject));
    expect(first.every((r) => r.created && r.version === 1 && r.previousLevel === undefined)).toBe(true);
    // the catalog's level per topic: FULL_TRANSITIVE on event topics, BACKWARD_TRANSITIVE (the default) on derived ones
    for (const record of records) {
      expect(record.compatibility).toBe(EVENT_TOPICS.includes(record.topic) ? 'FULL_TRANSITIVE' : 'BACKWARD_TRANSITIVE');
      expect(await registry.subjectLevel(record.subject)).toBe(record.compatibility);
    }

    const second = await registerSchemas(registry, records, { logger });
    expect(second.map((r) => [r.subject, r.id, r.version, r.created, r.previousLevel])).toEqual(first.map((r) => [r.subject, r.id, r.version, false, r.level]));
    for (const record of records) expect(await registry.versions(record.subject)).toEqual([1]);

    const checks = await checkSchemas(registry, records);
    expect(checks.every((c) => c.status === 'registered' && c.matchingVersion === 1)).toBe(true);
  });

  it('registers a compatible change as a new version', async () => {
    const topic = uniqueName('payments');
    await registerSchemas(registry, [payment(topic, [id, amount])]);
    const v2 = payment(topic, [id, amount, { name: 'channel', type: 'string', default: 'web' }]);

    const [check] = await checkSchemas(registry, [v2]);
    expect(check?.status).toBe('compatible');
    expect(describeCheck(check!)).toBe(`${v2.subject}: would register version 2 (BACKWARD_TRANSITIVE-compatible with version 1)`);

    const [registered] = await registerSchemas(registry, [v2]);
    expect(registered).toMatchObject({ created: true, version: 2 });
  });
});

describe('a breaking change', () => {
  it('a type change: check names subject, version and field; register writes nothing; the registry answers 409', async () => {
    const topic = uniqueName('payments');
    const v1 = payment(topic, [id, amount, currency]);
    await registerSchemas(registry, [v1]);
    const broken = payment(topic, [id, { name: 'amountCents', type: 'string' }, currency]);

    const [check] = await checkSchemas(registry, [broken]);
    expect(check?.status).toBe('incompatible');
    expect(describeCheck(check!)).toMatch(
      new RegExp(
        `^${broken.subject}: INCOMPATIBLE with its registered versions under BACKWARD_TRANSITIVE:\\n` +
          '    the new schema cannot read data written with version 1: field amountCents: ',
      ),
    );

    // all or nothing: the check runs first
    await expect(registerSchemas(registry, [broken])).rejects.toBeInstanceOf(SchemaCheckFailedError);
    expect(await registry.versions(v1.subject)).toEqual([1]);

    // straight to the registry: refused with 409, the message enriched with the field path
    const error = await registerSubject(registry, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    const incompatible = error as SchemaIncompatibleError;
    expect(incompatible.status).toBe(409);
    expect(incompatible.subject).toBe(broken.subject);
    expect(incompatible.message).toContain(`refused a new version of subject ${broken.subject}`);
    expect(incompatible.registryMessage).toMatch(/STRING not compatible with writer type: LONG|amountCents|fields\/1/);
    expect(incompatible.details.join('\n')).toMatch(/version 1: field amountCents/);
    expect(await registry.versions(v1.subject)).toEqual([1]);
  });

  it('a nested type change in a real event is located by its field path', async () => {
    const topicPrefix = prefix('nested');
    const placed = catalogRecordSet(undefined, { topicPrefix }).byName(TOPIC.orderEvents, 'OrderPlaced')!;
    await registerSchemas(registry, [placed]);

    const schema = JSON.parse(placed.schemaText) as JsonObject;
    const envelope = (schema['fields'] as JsonObject[])[0]!['type'] as JsonObject;
    for (const field of envelope['fields'] as JsonObject[]) if (field['name'] === 'aggregateVersion') field['type'] = 'string';
    const [check] = await checkSchemas(registry, [recordSchema(TOPIC.orderEvents, schema, { topicPrefix })]);
    expect(describeCheck(check!)).toMatch(/version 1: field envelope\.aggregateVersion: /);
  });

  it('a field removed without a default: allowed by BACKWARD_TRANSITIVE, refused by FULL_TRANSITIVE with the field named', async () => {
    // BACKWARD: new readers read old data, and a reader ignores a field it no longer has
    const backward = uniqueName('payments');
    await registerSchemas(registry, [payment(backward, [id, amount, currency])]);
    const [allowed] = await registerSchemas(registry, [payment(backward, [id, amount])]);
    expect(allowed?.version).toBe(2);

    // FULL also asks that old readers read new data: they require currency
    const full = uniqueName('payments');
    await registerSchemas(registry, [payment(full, [id, amount, currency], 'FULL_TRANSITIVE')]);
    const removed = payment(full, [id, amount], 'FULL_TRANSITIVE');
    expect(await registry.subjectLevel(removed.subject)).toBe('FULL_TRANSITIVE');

    const [check] = await checkSchemas(registry, [removed]);
    expect(describeCheck(check!)).toMatch(
      /consumers still on version 1 cannot read data written with the new schema: field currency: the reader requires it \(no default\)/,
    );
    const error = await registerSubject(registry, removed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as SchemaIncompatibleError).message).toMatch(/currency/);
    expect(await registry.versions(removed.subject)).toEqual([1]);
  });
});

describe('levels from schemas/catalog.ts', () => {
  /** A catalog record's schema with its top-level fields changed, under the record's own topic, prefix and level. */
  function edited(record: RecordSchema, topicPrefix: string, edit: (fields: JsonObject[]) => JsonObject[]): RecordSchema {
    const schema = JSON.parse(record.schemaText) as JsonObject;
    return recordSchema(
      record.topic,
      { ...schema, fields: edit(schema['fields'] as JsonObject[]) },
      {
        topicPrefix,
        compatibility: record.compatibility,
      },
    );
  }

  it('an event topic (FULL_TRANSITIVE): removing a field without a default is refused by check and by the registry (409)', async () => {
    const topicPrefix = prefix('event-level');
    const profile = catalogRecordSet(undefined, { topicPrefix }).byName(TOPIC.customers, 'CustomerProfile')!;
    expect(profile.compatibility).toBe('FULL_TRANSITIVE');
    await registerSchemas(registry, [profile]);
    expect(await registry.subjectLevel(profile.subject)).toBe('FULL_TRANSITIVE');

    // consumers still on version 1 require `email`: the new schema must not drop it
    const removed = edited(profile, topicPrefix, (fields) => fields.filter((f) => f['name'] !== 'email'));
    expect(removed.subject).toBe(profile.subject);

    const [check] = await checkSchemas(registry, [removed]);
    expect(check?.status).toBe('incompatible');
    expect(describeCheck(check!)).toMatch(
      new RegExp(
        `^${removed.subject}: INCOMPATIBLE with its registered versions under FULL_TRANSITIVE:\n` +
          '    consumers still on version 1 cannot read data written with the new schema: field email: the reader requires it \\(no default\\)',
      ),
    );
    await expect(registerSchemas(registry, [removed])).rejects.toBeInstanceOf(SchemaCheckFailedError);

    // straight to the registry: refused with 409 under the level register set
    const error = await registerSubject(registry, removed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect((error as SchemaIncompatibleError).status).toBe(409);
    expect((error as SchemaIncompatibleError).subject).toBe(profile.subject);
    expect((error as SchemaIncompatibleError).details.join('\n')).toMatch(/version 1 cannot read data written with the new schema: field email/);
    expect(await registry.versions(profile.subject)).toEqual([1]);
  });

  it('an event topic (FULL_TRANSITIVE): adding a field with a default is accepted', async () => {
    const topicPrefix = prefix('event-level-add');
    const profile = catalogRecordSet(undefined, { topicPrefix }).byName(TOPIC.customers, 'CustomerProfile')!;
    await registerSchemas(registry, [profile]);
    const added = edited(profile, topicPrefix, (fields) => [...fields, { name: 'locale', type: 'string', default: 'en' }]);

    const [check] = await checkSchemas(registry, [added]);
    expect(describeCheck(check!)).toBe(`${added.subject}: would register version 2 (FULL_TRANSITIVE-compatible with version 1)`);
    const [registered] = await registerSchemas(registry, [added]);
    expect(registered).toMatchObject({ created: true, version: 2, level: 'FULL_TRANSITIVE' });
  });

  it('a derived topic (BACKWARD_TRANSITIVE): adding a field with a default is accepted', async () => {
    const topicPrefix = prefix('derived-level');
    const alert = catalogRecordSet(undefined, { topicPrefix }).byName(TOPIC.fraudAlerts, 'FraudAlert')!;
    expect(alert.compatibility).toBe('BACKWARD_TRANSITIVE');
    await registerSchemas(registry, [alert]);
    expect(await registry.subjectLevel(alert.subject)).toBe('BACKWARD_TRANSITIVE');

    const added = edited(alert, topicPrefix, (fields) => [...fields, { name: 'severity', type: 'string', default: 'medium' }]);
    const [check] = await checkSchemas(registry, [added]);
    expect(check?.status).toBe('compatible');
    expect(describeCheck(check!)).toBe(`${added.subject}: would register version 2 (BACKWARD_TRANSITIVE-compatible with version 1)`);

    const [registered] = await registerSchemas(registry, [added]);
    expect(registered).toMatchObject({ subject: alert.subject, created: true, version: 2, level: 'BACKWARD_TRANSITIVE' });
    expect(await registry.versions(alert.subject)).toEqual([1, 2]);
  });
});

describe('the scripts/schemas CLI', () => {
  const run = promisify(execFile);
  const schemasCli = path.join(ROOT, 'scripts/schemas');
  /** One subject per catalog record. */
  const SUBJECTS = catalogRecordSet().records.length;

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(schemasCli, args, { cwd: ROOT, env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const failed = err as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('register then check: idempotent, exit 0', async () => {
    const p = prefix('cli');
    const before = await cli(['check', '--prefix', p]);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`${p}orders.events-com.streamfold.orders.OrderPlaced: would register (new subject, level FULL_TRANSITIVE)`);

    const first = await cli(['register', '--prefix', p]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${SUBJECTS} registered, 0 unchanged at http`, 'm'));
    const second = await cli(['register', '--prefix', p]);
    expect(second.stdout).toMatch(new RegExp(`^0 registered, ${SUBJECTS} unchanged at http`, 'm'));

    const after = await cli(['check', '--prefix', p]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`${p}orders.events-com.streamfold.orders.OrderPlaced: ok, registered as version 1`);
  });

  it('check exits 1 naming the subject, the version and the field when schemas/ breaks a registered version', async () => {
    const p = prefix('cli-broken');
    const records = catalogRecordSet(undefined, { topicPrefix: p });
    const placed = records.byName(TOPIC.orderEvents, 'OrderPlaced')!;
    // the registry already holds an OrderPlaced whose totalCents is a string: schemas/ (a long) cannot read it
    const schema = JSON.parse(placed.schemaText) as JsonObject;
    for (const field of schema['fields'] as JsonObject[]) if (field['name'] === 'totalCents') field['type'] = 'string';
    await registerSchemas(registry, [recordSchema(TOPIC.orderEvents, schema, { topicPrefix: p })]);

    const { code, stdout } = await cli(['check', '--prefix', p]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${placed.subject}: INCOMPATIBLE with its registered versions under FULL_TRANSITIVE:`);
    expect(stdout).toMatch(/the new schema cannot read data written with version 1: field totalCents: /);
    expect(stdout).toMatch(new RegExp(`^1 of ${SUBJECTS} subject\\(s\\) would be refused`, 'm'));

    const register = await cli(['register', '--prefix', p]);
    expect(register.code).toBe(1);
    expect(register.stderr).toMatch(/not registering anything: 1 subject\(s\) are incompatible/);
  });

  it('a registry that is down: a clear error naming SCHEMA_REGISTRY_URL, exit 1', async () => {
    // a port nothing listens on: bind one, then free it
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const { code, stderr } = await cli(['check'], { SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}/apis/ccompat/v7` });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: schema registry unreachable at http://127.0.0.1:${port}/apis/ccompat/v7 .*ECONNREFUSED`));
    expect(stderr).toContain('SCHEMA_REGISTRY_URL');
  });

  it('a usage error exits 2', async () => {
    const { code, stderr } = await cli(['publish']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/expected check or register, got publish/);
  });
});
