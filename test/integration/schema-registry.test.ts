/**
 * @kafkajs/confluent-schema-registry against the project's registry
 * (Apicurio's Confluent API locally): register, encode, decode, evolution
 * rules, and schemas that survive a registry restart.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry } from '../../lib/clients/schema-registry';
import { config, uniqueName } from './support/env';

const ROOT = path.resolve(__dirname, '../..');
const registry = createSchemaRegistry(config.schemaRegistry);

function customerSchema(namespace: string, extraFields: object[] = []): string {
  return JSON.stringify({
    type: 'record',
    name: 'Customer',
    namespace,
    fields: [
      { name: 'id', type: 'string' },
      { name: 'lifetimeCents', type: 'long' },
      { name: 'since', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ...extraFields,
    ],
  });
}

// the registry keeps subjects forever; a fresh namespace per run keeps tests independent
const namespace = `test.${uniqueName('ns').replace(/-/g, '_')}`;
const subject = `${uniqueName('customers')}-${namespace}.Customer`;
const compatibility = COMPATIBILITY.BACKWARD_TRANSITIVE;

async function status(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { status?: number }).status;
  }
}

test('registers a schema, encodes in the Confluent wire format and decodes', async () => {
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: customerSchema(namespace) }, { subject, compatibility });
  const since = new Date('2024-05-01T10:00:00.000Z');
  const bytes = await registry.encode(id, { id: 'c-1', lifetimeCents: 12_345, since });

  expect(bytes[0]).toBe(0); // magic byte
  expect(bytes.readInt32BE(1)).toBe(id); // schema id, big-endian
  expect(await registry.decode(bytes)).toEqual({ id: 'c-1', lifetimeCents: 12_345, since });
  // the subject has its own compatibility level now
  expect(await registry.getLatestSchemaId(subject)).toBe(id);
});

test('accepts a compatible new version (a field with a default) and refuses a breaking one with 409', async () => {
  const v2 = customerSchema(namespace, [{ name: 'tier', type: 'string', default: 'standard' }]);
  const { id: v2Id } = await registry.register({ type: SchemaType.AVRO, schema: v2 }, { subject, compatibility });
  expect(await registry.getLatestSchemaId(subject)).toBe(v2Id);

  // lifetimeCents long → string cannot read old data
  const breaking = JSON.stringify({
    ...JSON.parse(customerSchema(namespace)),
    fields: [
      { name: 'id', type: 'string' },
      { name: 'lifetimeCents', type: 'string' },
      { name: 'since', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  });
  expect(await status(registry.register({ type: SchemaType.AVRO, schema: breaking }, { subject, compatibility }))).toBe(409);

  // a new required field without a default cannot read old data either
  const noDefault = customerSchema(namespace, [{ name: 'email', type: 'string' }]);
  expect(await status(registry.register({ type: SchemaType.AVRO, schema: noDefault }, { subject, compatibility }))).toBe(409);
  expect(await registry.getLatestSchemaId(subject)).toBe(v2Id);
});

test('schemas survive a registry restart (Kafka-backed storage)', async () => {
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: customerSchema(namespace) }, { subject, compatibility });
  const bytes = await registry.encode(id, { id: 'c-2', lifetimeCents: 1, since: new Date(0) });

  execFileSync(path.join(ROOT, 'scripts/infra'), ['restart', 'registry'], { stdio: 'pipe' });

  // a new client has no cache: everything comes from the restarted registry
  const fresh = createSchemaRegistry(config.schemaRegistry);
  expect(await fresh.decode(bytes)).toEqual({ id: 'c-2', lifetimeCents: 1, since: new Date(0) });
  expect(await fresh.getLatestSchemaId(subject)).toBeGreaterThanOrEqual(id);
});
