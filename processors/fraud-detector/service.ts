/** The fraud detector as a service: its name (and so its group), health port and processor; thresholds from FRAUD_* (README). */
import type { ProcessorService } from '../runtime/service';
import { fraudConfigFromEnv } from './env-config';
import { type ActivityMessage, fraudDetector } from './processor';

export const fraudDetectorService: ProcessorService<ActivityMessage> = {
  service: 'fraud-detector',
  defaultHttpPort: 19302,
  build: (topics, codec, config, name) => fraudDetector(topics, codec, fraudConfigFromEnv(config.fraud), name),
};
