/** The registry-backed Avro codec over the configured topics, as the processors build it (processors/runtime/service.ts). */
import type { AppConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { catalogRecordSet, createRegistryClient } from '../../lib/registry';
import { AvroDecoder, AvroEncoder } from '../../lib/serde';
import { avroCodec, RecordCodec } from '../../processors/runtime/codec';

export function registryCodec(config: AppConfig, logger: Logger): RecordCodec {
  const registry = createRegistryClient(config.schemaRegistry, { logger });
  const records = catalogRecordSet(undefined, { topicPrefix: config.topicPrefix });
  return avroCodec(new AvroEncoder({ registry, records, logger }), new AvroDecoder({ registry, records, logger }), config.topicPrefix);
}
