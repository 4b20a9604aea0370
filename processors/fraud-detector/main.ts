/** The fraud detector service: `npm run processor:fraud-detector`. Thresholds: FRAUD_* variables (README). */
import { startProcessorService } from '../runtime/service';
import { fraudDetector } from './processor';
import { fraudConfigFromEnv } from './env-config';

startProcessorService({
  service: 'fraud-detector',
  defaultHttpPort: 19302,
  build: (topics, codec, config, name) => fraudDetector(topics, codec, fraudConfigFromEnv(config.fraud), name),
});
