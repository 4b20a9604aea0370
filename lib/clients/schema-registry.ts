/** Confluent-API schema registry client (Apicurio's ccompat API locally, Confluent's in Docker). */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { SchemaRegistryConfig } from '../config';
import { redactUrl } from '../config/env';
import { avroTypeOptions } from '../avro/options';

/** The clientId the library puts in its user agent and at the start of its error messages ("streamfold - …"). */
export const SCHEMA_REGISTRY_CLIENT_ID = 'streamfold';

export interface SchemaRegistryConnection {
  /** Base URL without credentials and without a trailing slash. */
  readonly host: string;
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  /** For messages and logs: the configured URL with any password masked. */
  readonly displayUrl: string;
}

/**
 * Where and as whom to connect. Credentials come from SCHEMA_REGISTRY_USERNAME
 * and _PASSWORD, or else from the URL (https://user:pass@host/…); either way
 * they go to the library's basic-auth middleware and are taken out of the
 * host, so no request URL (which the library puts in its errors) carries them.
 */
export function schemaRegistryConnection(config: SchemaRegistryConfig): SchemaRegistryConnection {
  const url = new URL(config.url);
  const fromUrl = url.username !== '' ? decodeURIComponent(url.username) : undefined;
  const username = config.username ?? fromUrl;
  const password = config.username !== undefined ? (config.password ?? '') : decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return {
    host: url.toString().replace(/\/+$/, ''),
    auth: username !== undefined ? { username, password } : undefined,
    displayUrl: redactUrl(config.url),
  };
}

export function createSchemaRegistry(config: SchemaRegistryConfig): SchemaRegistry {
  const { host, auth } = schemaRegistryConnection(config);
  // No `retry` option: the library merges it into one module-wide default
  // object (Object.assign), so it would change every client in the process.
  // Its default retries GETs on 5xx and connection errors, 3 times.
  return new SchemaRegistry(
    { host, auth: auth && { ...auth }, clientId: SCHEMA_REGISTRY_CLIENT_ID },
    // the project's logical types (timestamp-millis ↔ Date) for every schema the client parses
    { [SchemaType.AVRO]: avroTypeOptions() },
  );
}
