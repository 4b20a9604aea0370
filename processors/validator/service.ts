/** The stateless validator as a service: its name (and so its group), health port and processor. */
import type { ProcessorService } from '../runtime/service';
import type { InputEvent } from '../../lib/domain/validation/input-event';
import { validator } from './processor';

export const validatorService: ProcessorService<InputEvent> = {
  service: 'validator',
  defaultHttpPort: 19300,
  build: (topics, codec, _config, name) => validator(topics, codec, name),
};
