/**
 * `scripts/schemas check`: compares local schemas with the registry without
 * writing anything, and says for each subject whether registering would
 * succeed. Uses the level the subject will have after `register` (the
 * record's), since register sets it before registering.
 */
import { Type } from 'avsc';
import { AvroSchemaInput, parseAvroType } from '../avro/options';
import type { Logger } from '../logger';
import { CompatibilityLevel, compatibilityRule } from './compatibility-level';
import { Incompatibility, RegisteredType, describeIncompatibility, findIncompatibilities } from './evaluate-compatibility';
import type { RecordSchema } from './record-set';
import type { RegistryClient } from './registry-client';

export type SubjectCheckStatus =
  /** The subject holds exactly this schema text already. */
  | 'registered'
  /** The subject does not exist: register would create it. */
  | 'new'
  /** Register would add a version; every check the level asks for passes. */
  | 'compatible'
  /** Register would be refused. */
  | 'incompatible';

export interface SubjectCheck {
  readonly subject: string;
  readonly topic: string;
  readonly fullName: string;
  readonly level: CompatibilityLevel;
  readonly status: SubjectCheckStatus;
  /** Registered versions, oldest first. */
  readonly versions: readonly number[];
  /** With status registered: the version holding this schema. */
  readonly matchingVersion?: number;
  readonly problems: readonly Incompatibility[];
}

export function isFailedCheck(check: SubjectCheck): boolean {
  return check.status === 'incompatible';
}

/** One line a person can act on, e.g. for the CLI or an error message. */
export function describeCheck(check: SubjectCheck): string {
  switch (check.status) {
    case 'registered':
      return `${check.subject}: ok, registered as version ${check.matchingVersion}`;
    case 'new':
      return `${check.subject}: would register (new subject, level ${check.level})`;
    case 'compatible':
      return `${check.subject}: would register version ${(check.versions.at(-1) ?? 0) + 1} (${describeVersions(check)})`;
    case 'incompatible':
      return [
        `${check.subject}: INCOMPATIBLE with its registered versions under ${check.level}:`,
        ...check.problems.map((problem) => `    ${describeIncompatibility(problem)}`),
      ].join('\n');
  }
}

function describeVersions(check: SubjectCheck): string {
  if (check.level === 'NONE') return 'level NONE: not checked';
  const checked = compatibilityRule(check.level).transitive ? check.versions : check.versions.slice(-1);
  return `${check.level}-compatible with ${checked.length === 1 ? `version ${checked[0]}` : `versions ${checked.join(', ')}`}`;
}

/** The registered versions the level compares against, parsed with the project's avsc options. */
async function registeredTypes(
  client: RegistryClient,
  record: RecordSchema,
  versions: readonly number[],
): Promise<{ types: RegisteredType[]; problems: Incompatibility[] }> {
  const rule = compatibilityRule(record.compatibility);
  const wanted = record.compatibility === 'NONE' ? [] : rule.transitive ? versions : versions.slice(-1);
  const types: RegisteredType[] = [];
  const problems: Incompatibility[] = [];
  for (const version of wanted) {
    const registered = await client.version(record.subject, version);
    let type: Type;
    try {
      if (registered.schemaType !== 'AVRO') throw new Error(`it is a ${registered.schemaType} schema, not Avro`);
      type = parseAvroType(JSON.parse(registered.schema) as AvroSchemaInput);
    } catch (err) {
      problems.push({
        version,
        direction: 'backward',
        reason: `the registered schema cannot be parsed (${err instanceof Error ? err.message : String(err)}), so compatibility cannot be checked`,
      });
      continue;
    }
    types.push({ version, type });
  }
  return { types, problems };
}

export async function checkSubject(client: RegistryClient, record: RecordSchema): Promise<SubjectCheck> {
  const base = { subject: record.subject, topic: record.topic, fullName: record.fullName, level: record.compatibility };
  const existing = await client.lookup(record.subject, record.schemaText);
  const versions = await client.versions(record.subject);
  if (existing) {
    return { ...base, status: 'registered', versions, matchingVersion: existing.version, problems: [] };
  }
  if (versions.length === 0) return { ...base, status: 'new', versions, problems: [] };
  const { types, problems } = await registeredTypes(client, record, versions);
  problems.push(...findIncompatibilities(record.compatibility, record.type, types));
  return { ...base, status: problems.length > 0 ? 'incompatible' : 'compatible', versions, problems };
}

/** Checks every record; subjects are independent, so they are checked concurrently. */
export async function checkSchemas(client: RegistryClient, records: readonly RecordSchema[], logger?: Logger): Promise<SubjectCheck[]> {
  const checks = await Promise.all(records.map((record) => checkSubject(client, record)));
  for (const check of checks) {
    const fields = { subject: check.subject, status: check.status, level: check.level, versions: check.versions };
    if (isFailedCheck(check)) logger?.error({ ...fields, problems: check.problems }, 'schema incompatible with the registry');
    else logger?.debug(fields, 'schema checked');
  }
  return checks;
}
