/** The order aggregator as a service: its name (and so its group), health port and processor. */
import type { ProcessorService } from '../runtime/service';
import { orderAggregator } from './processor';
import type { AggregateEvent } from '../../lib/domain/orders/fold';

export const orderAggregatorService: ProcessorService<AggregateEvent> = {
  service: 'order-aggregator',
  defaultHttpPort: 19301,
  build: (topics, codec, _config, name) => orderAggregator(topics, codec, name),
};
