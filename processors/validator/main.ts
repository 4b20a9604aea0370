/** The stateless validator service: `npm run processor:validator`. */
import { startProcessorService } from '../runtime/service';
import { validator } from './processor';

startProcessorService({
  service: 'validator',
  defaultHttpPort: 19300,
  build: (topics, codec, _config, name) => validator(topics, codec, name),
});
