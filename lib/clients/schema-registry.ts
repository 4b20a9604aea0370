/** Confluent-API schema registry client (Apicurio's ccompat API locally, Confluent's in Docker). */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { SchemaRegistryConfig } from '../config';
import { avroTypeOptions } from '../avro/options';

export function createSchemaRegistry(config: SchemaRegistryConfig): SchemaRegistry {
  const auth =
    config.username !== undefined ? { username: config.username, password: config.password ?? '' } : undefined;
  return new SchemaRegistry(
    { host: config.url.replace(/\/+$/, ''), auth, clientId: 'streamfold' },
    // the project's logical types (timestamp-millis ↔ Date) for every schema the client parses
    { [SchemaType.AVRO]: avroTypeOptions() },
  );
}
