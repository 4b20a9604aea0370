/** The Redis sink service: `npm run sink:redis`. */
import { startSinkService } from '../runtime/sink-service';
import { redisSinkService } from './service';

startSinkService(redisSinkService);
