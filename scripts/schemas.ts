/**
 * The registry side of schemas/:
 *
 *   scripts/schemas check    [--prefix <p>] [--json]
 *     compares schemas/ with the registry, writes nothing; exit 1 naming the
 *     subject, the registered version and the field when a schema would be refused
 *   scripts/schemas register [--prefix <p>] [--json]
 *     sets each subject's compatibility level, then registers its schema;
 *     idempotent, and writes nothing if any subject would be refused
 *
 * --prefix (default: TOPIC_PREFIX) puts every topic, and so every subject, under a prefix, e.g. for tests.
 * SCHEMA_REGISTRY_URL (and _USERNAME/_PASSWORD) say which registry.
 */
import { createRegistryClient } from '../lib/registry/registry-client';
import { catalogRecordSet } from '../lib/registry/record-set';
import { checkSchemas, describeCheck, isFailedCheck } from '../lib/registry/check-schemas';
import { SubjectRegistration, registerSchemas } from '../lib/registry/register-schemas';
import { EXIT_FAILED, EXIT_OK, UsageError, cliContext, columns, parseCli, runCli } from '../lib/cli/cli';

const USAGE = `usage: scripts/schemas <check|register> [--prefix <topic prefix, default TOPIC_PREFIX>] [--json]`;

function describeRegistration(r: SubjectRegistration): string[] {
  const level = r.previousLevel === r.level ? r.level : `${r.level} (was ${r.previousLevel ?? 'unset'})`;
  return [r.created ? 'registered' : 'unchanged', r.subject, `id ${r.id}`, `version ${r.version}`, `level ${level}`];
}

async function main(): Promise<number> {
  const { values, positionals } = parseCli(process.argv.slice(2), {
    prefix: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [command, ...extra] = positionals;
  if (command !== 'check' && command !== 'register') throw new UsageError(`expected check or register, got ${command ?? 'nothing'}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);

  const { config, logger } = cliContext('schemas');
  const registry = createRegistryClient(config.schemaRegistry, { logger });
  const records = catalogRecordSet(undefined, { topicPrefix: values.prefix ?? config.topicPrefix }).records;

  if (command === 'check') {
    const checks = await checkSchemas(registry, records, logger);
    const failed = checks.filter(isFailedCheck);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ registry: registry.displayUrl, subjects: checks }, null, 2)}\n`);
    } else {
      for (const check of checks) process.stdout.write(`${describeCheck(check)}\n`);
      process.stdout.write(
        failed.length > 0
          ? `${failed.length} of ${checks.length} subject(s) would be refused by ${registry.displayUrl}. Fix: keep the change compatible (give new fields a default, keep field types and required fields), or publish it as a new record.\n`
          : `all ${checks.length} subject(s) can be registered at ${registry.displayUrl}\n`,
      );
    }
    return failed.length > 0 ? EXIT_FAILED : EXIT_OK;
  }

  const registrations = await registerSchemas(registry, records, { logger });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ registry: registry.displayUrl, subjects: registrations }, null, 2)}\n`);
  } else {
    process.stdout.write(`${columns(registrations.map(describeRegistration)).join('\n')}\n`);
    const created = registrations.filter((r) => r.created).length;
    process.stdout.write(`${created} registered, ${registrations.length - created} unchanged at ${registry.displayUrl}\n`);
  }
  return EXIT_OK;
}

runCli(USAGE, main);
