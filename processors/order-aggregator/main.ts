/** The order-aggregator service: `npm run processor:order-aggregator`. */
import { startProcessorService } from '../runtime/service';
import { orderAggregatorService } from './service';

startProcessorService(orderAggregatorService);
