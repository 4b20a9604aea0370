/** The order aggregator service: `npm run processor:order-aggregator`. */
import { startProcessorService } from '../runtime/service';
import { orderAggregator } from './processor';

startProcessorService({
  service: 'order-aggregator',
  defaultHttpPort: 19301,
  build: (topics, codec, _config, name) => orderAggregator(topics, codec, name),
});
