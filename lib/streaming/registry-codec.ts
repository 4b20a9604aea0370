/** The registry-backed Avro codec every service builds from its configuration. */
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { catalogRecordSet, createRegistryClient } from '../registry';
import { AvroDecoder, AvroEncoder } from '../serde';
import { avroCodec, RecordCodec } from './codec';

export interface RegistryCodecOptions {
  /** false for services that only read (sinks): an unknown schema is an error, not a registration. */
  readonly autoRegister?: boolean;
}

export function registryCodec(config: AppConfig, logger: Logger, options: RegistryCodecOptions = {}): RecordCodec {
  const registry = createRegistryClient(config.schemaRegistry, { logger });
  const records = catalogRecordSet(undefined, { topicPrefix: config.topicPrefix });
  const encoderOptions = options.autoRegister === false ? { registry, records, logger, autoRegister: false } : { registry, records, logger };
  return avroCodec(new AvroEncoder(encoderOptions), new AvroDecoder({ registry, records, logger }), config.topicPrefix);
}
