/** The ClickHouse sink service: `npm run sink:clickhouse`. */
import { startSinkService } from '../runtime/sink-service';
import { clickhouseSinkService } from './service';

startSinkService(clickhouseSinkService);
