/**
 * Produces a sink's dead letters (undecodable records, records the store
 * refused) with an idempotent producer, acks from all in-sync replicas,
 * before the engine commits past them: a dead letter is never lost, at
 * worst produced twice when a send is retried.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { producerDefaults } from '../../lib/clients/kafka';
import type { Logger } from '../../lib/logger';
import { deadLetter } from '../../processors/runtime/dead-letter';
import type { PendingDeadLetter } from './pending-batch';
import type { SinkMetrics } from './sink-metrics';

export class DeadLetterSender {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    /** Written to the dlq.processor header: the sink's name. */
    private readonly sinkName: string,
    private readonly logger: Logger,
    private readonly metrics: SinkMetrics,
  ) {
    this.producer = kafka.producer(producerDefaults());
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(deadLetters: readonly PendingDeadLetter[]): Promise<void> {
    if (deadLetters.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const { source, code, message } of deadLetters) {
      const record = deadLetter(source, this.sinkName, code, message);
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    for (const { source, code, message } of deadLetters) {
      this.metrics.deadLetters.inc({ topic: source.topic, code });
      this.logger.warn({ topic: source.topic, partition: source.partition, offset: source.offset, code, reason: message }, 'record sent to the dead-letter topic');
    }
  }
}
