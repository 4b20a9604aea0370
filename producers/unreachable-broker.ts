/**
 * A send that failed because no broker could be reached (stopped, or
 * restarting for longer than the producer retries, see SEND_RETRY in
 * create-publisher.ts). The producer retries a batch itself, with its
 * sequence numbers, so a batch the broker did store is stored once; once it
 * gives up it starts a new producer id, so a resend from here could store a
 * batch twice. What is left is to say clearly what happened.
 */
import { brokerUnreachableReason } from '../lib/kafka/errors';

/** The error, or one saying that Kafka was unreachable, for how long and how to check it, when that is why it failed. */
export function explainUnreachable(error: unknown, sendingForMs: number): unknown {
  const reason = brokerUnreachableReason(error);
  if (reason === undefined) return error;
  return new Error(
    `no Kafka broker could be reached for ${Math.round(sendingForMs / 1000)} s of retries (${reason}); is Kafka running (scripts/infra status) and KAFKA_BROKERS right?`,
    { cause: error },
  );
}
