/** The order aggregator service: `npm run processor:order-aggregator`. */
import { runProcessorService } from '../runtime/service';
import { orderAggregator } from './processor';

runProcessorService({
  service: 'order-aggregator',
  defaultHttpPort: 19301,
  build: (topics, codec, _config, name) => orderAggregator(topics, codec, name),
}).catch((error: unknown) => {
  process.stderr.write(`order-aggregator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
