/** The validator service: `npm run processor:validator`. */
import { startProcessorService } from '../runtime/service';
import { validatorService } from './service';

startProcessorService(validatorService);
