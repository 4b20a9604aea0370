/**
 * The producer library: publish domain events to Kafka, validated and
 * Avro-encoded, keyed by aggregate id, batched, through the idempotent
 * producer. See event-publisher.ts; the CLI is cli.ts, the load generator
 * runner loadgen/run.ts.
 */
export { Publisher } from './event-publisher';
export type { PreparedEvents, PreparedRecord, PublishedBatch, PublisherOptions, PublisherStats } from './event-publisher';
export { createPublisher } from './create-publisher';
export type { CreatePublisherOptions } from './create-publisher';
export type { OutgoingEvent } from './outgoing-event';
export { PublishValidationError } from './publish-error';
export type { RejectedEvent } from './publish-error';
export { EVENT_HEADER, aggregateIdOf, eventHeaders } from './event-headers';
export { BatcherClosedError, BatcherFailedError, DEFAULT_BATCH_SETTINGS, SendBatcher } from './send-batcher';
export type { BatchSettings, OutgoingMessage, SentBatch } from './send-batcher';
export { InFlightWindow } from './in-flight-window';
