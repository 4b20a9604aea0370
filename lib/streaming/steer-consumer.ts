/**
 * pause, resume and seek on a consumer that may have crashed or been
 * replaced meanwhile: kafkajs throws then ("consumer#run must be called
 * first"), and there is nothing to steer, since the next consumer starts
 * from the committed offsets. Returns whether the consumer took it.
 */
import type { Consumer } from 'kafkajs';

export function steer(consumer: Consumer | undefined, action: (consumer: Consumer) => void): boolean {
  if (consumer === undefined) return false;
  try {
    action(consumer);
    return true;
  } catch (error) {
    if (error instanceof Error && /consumer#run must be called first/.test(error.message)) return false;
    throw error;
  }
}
