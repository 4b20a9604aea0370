/** The fraud-detector service: `npm run processor:fraud-detector`. */
import { startProcessorService } from '../runtime/service';
import { fraudDetectorService } from './service';

startProcessorService(fraudDetectorService);
