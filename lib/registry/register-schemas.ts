/**
 * `scripts/schemas register`: sets every subject's compatibility level
 * explicitly, then registers its schema. Idempotent: a subject that already
 * holds the schema keeps its version and is reported as unchanged.
 *
 * Everything is checked first (checkSchemas) and nothing is written when any
 * subject would be refused, so a breaking change never leaves the registry
 * half-updated.
 */
import type { Logger } from '../logger';
import { CompatibilityLevel } from './compatibility-level';
import { SubjectCheck, checkSchemas, checkSubject, describeCheck, isFailedCheck } from './check-schemas';
import { describeIncompatibility } from './evaluate-compatibility';
import type { RecordSchema } from './record-set';
import type { RegistryClient } from './registry-client';
import { SchemaIncompatibleError } from './registry-errors';

export interface SubjectRegistration {
  readonly subject: string;
  readonly topic: string;
  readonly fullName: string;
  readonly id: number;
  readonly version: number;
  /** False when the subject already held exactly this schema. */
  readonly created: boolean;
  readonly level: CompatibilityLevel;
  /** The level read before setting it (Apicurio reports the global level for a subject without its own); undefined for a new subject. */
  readonly previousLevel: CompatibilityLevel | undefined;
}

/** Nothing was registered because these subjects would be refused. */
export class SchemaCheckFailedError extends Error {
  override readonly name = 'SchemaCheckFailedError';

  constructor(readonly failed: readonly SubjectCheck[]) {
    super(
      `not registering anything: ${failed.length} subject(s) are incompatible with the registry:\n` +
        failed.map(describeCheck).join('\n') +
        '\nFix: make the change compatible (e.g. give a new field a default, keep field types), or publish it as a new record.',
    );
  }
}

export async function registerSubject(client: RegistryClient, record: RecordSchema, logger?: Logger): Promise<SubjectRegistration> {
  const { subject, compatibility: level } = record;
  const previousLevel = await client.subjectLevel(subject);
  // Always set: a subject inheriting the global level looks the same as one
  // with its own, and the design wants every level explicit.
  await client.setSubjectLevel(subject, level);
  const existing = await client.lookup(subject, record.schemaText);
  let id: number;
  let version: number;
  let created = false;
  if (existing) {
    ({ id, version } = existing);
  } else {
    try {
      id = await client.register(subject, record.schemaText);
    } catch (err) {
      if (err instanceof SchemaIncompatibleError) {
        // The registry names a JSON pointer at best; the local check names the version and field path.
        const check = await checkSubject(client, record);
        throw new SchemaIncompatibleError(err.request, subject, err.registryMessage, check.problems.map(describeIncompatibility));
      }
      throw err;
    }
    // The Confluent API answers a registration with the id only.
    const registered = await client.lookup(subject, record.schemaText);
    version = registered?.version ?? -1;
    created = true;
  }
  const result = { subject, topic: record.topic, fullName: record.fullName, id, version, created, level, previousLevel };
  logger?.info(result, created ? 'schema registered' : 'schema already registered');
  return result;
}

export interface RegisterOptions {
  readonly logger?: Logger;
  /** Skip the all-or-nothing check (the registry still refuses incompatible schemas one by one). */
  readonly skipCheck?: boolean;
}

export async function registerSchemas(client: RegistryClient, records: readonly RecordSchema[], options: RegisterOptions = {}): Promise<SubjectRegistration[]> {
  if (!options.skipCheck) {
    const failed = (await checkSchemas(client, records, options.logger)).filter(isFailedCheck);
    if (failed.length > 0) throw new SchemaCheckFailedError(failed);
  }
  const results: SubjectRegistration[] = [];
  // One at a time, in catalog order: versions then come out in a stable order.
  for (const record of records) results.push(await registerSubject(client, record, options.logger));
  return results;
}
