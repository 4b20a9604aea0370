/**
 * Produces a sink's dead letters (undecodable records, records the store
 * refused) with an idempotent producer, acks from all in-sync replicas,
 * before the engine commits past them: a dead letter is never lost, at
 * worst produced twice when a send is retried.
 */
import type { KafkaConfig } from '../../lib/config';
import { createProducer, type OutgoingRecord, type RecordProducer } from '../../lib/kafka/clients';
import { requestChunks } from '../../lib/kafka/request-chunks';
import type { Logger } from '../../lib/logger';
import { deadLetter } from '../../lib/streaming/dead-letter';
import type { PendingDeadLetter } from './pending-batch';
import type { SinkMetrics } from './sink-metrics';

export class DeadLetterSender {
  private readonly producer: RecordProducer;

  constructor(
    kafka: KafkaConfig,
    /** Written to the dlq.processor header: the sink's name. */
    private readonly sinkName: string,
    private readonly logger: Logger,
    private readonly metrics: SinkMetrics,
  ) {
    // the client connects on its first send
    this.producer = createProducer(kafka, `${sinkName}-dead-letters`);
  }

  close(): Promise<void> {
    return this.producer.close(true);
  }

  async send(deadLetters: readonly PendingDeadLetter[]): Promise<void> {
    if (deadLetters.length === 0) return;
    const messages: OutgoingRecord[] = deadLetters.map(({ source, code, message }) => {
      const record = deadLetter(source, this.sinkName, code, message);
      return { topic: record.topic, key: record.key ?? undefined, value: record.value ?? undefined, headers: record.headers };
    });
    // in order, one request at a time: a big batch of dead letters must not exceed the broker's request size
    for (const chunk of requestChunks(messages)) await this.producer.send({ messages: chunk });
    for (const { source, code, message } of deadLetters) {
      this.metrics.deadLetters.inc({ topic: source.topic, code });
      this.logger.warn(
        { topic: source.topic, partition: source.partition, offset: source.offset, code, reason: message },
        'record sent to the dead-letter topic',
      );
    }
  }
}
