/** The schema registry: a Confluent-API client, record sets, and the register/check logic behind scripts/schemas. */
export { COMPATIBILITY_LEVELS, DEFAULT_COMPATIBILITY, compatibilityRule, isCompatibilityLevel } from './compatibility-level';
export type { CompatibilityLevel, CompatibilityRule } from './compatibility-level';
export { RegistryClient, createRegistryClient } from './registry-client';
export type { RegistryClientOptions, SchemaById, SchemaRef, SubjectVersion } from './registry-client';
export { ERROR_CODE, RegistryError, RegistryUnavailableError, SchemaIncompatibleError } from './registry-errors';
export type { RegistryRequest } from './registry-errors';
export { RecordSet, catalogRecordSet, recordSchema } from './record-set';
export type { InlineRecordOptions, RecordSchema, RecordSetOptions } from './record-set';
export { describeIncompatibility, findIncompatibilities } from './evaluate-compatibility';
export type { Incompatibility, RegisteredType } from './evaluate-compatibility';
export { checkSchemas, checkSubject, describeCheck, isFailedCheck } from './check-schemas';
export type { SubjectCheck, SubjectCheckStatus } from './check-schemas';
export { SchemaCheckFailedError, registerSchemas, registerSubject } from './register-schemas';
export type { RegisterOptions, SubjectRegistration } from './register-schemas';
