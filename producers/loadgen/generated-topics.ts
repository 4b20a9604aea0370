/** The topics the load generator writes (GeneratedTopic), as a list for provisioning and schema checks. */
import { TOPIC } from '../../lib/topics';
import type { GeneratedTopic } from './record';

export const GENERATED_TOPICS: readonly GeneratedTopic[] = [TOPIC.customers, TOPIC.orderEvents, TOPIC.paymentEvents];
