/**
 * Which queues have a dead-letter queue of their own choosing (`GET /dashboard/api/dead-letters`):
 * the queue setting `dead_letter`, where it names another queue than the default `<q>.dead`.
 * The queue table nests such a queue under every queue that names it. Read from the settings
 * of every queue, a chunk at a time; the page asks every few seconds, not every sample.
 */
import type { QueueService } from '../core/queue-service.js';
import { replies, type Reply } from '../protocols/replies.js';

const CHUNK = 200;

export async function customDeadLetters(service: QueueService): Promise<Record<string, string>> {
  const queues = await service.listQueues();
  const out: Record<string, string> = {};
  for (let i = 0; i < queues.length; i += CHUNK) {
    const some = queues.slice(i, i + CHUNK);
    const settings = await Promise.all(some.map((q) => service.getSettings(q)));
    some.forEach((q, j) => {
      const dlq = settings[j]!.deadLetter;
      if (dlq !== undefined && dlq !== `${q}.dead`) out[q] = dlq;
    });
  }
  return out;
}

export async function deadLettersReply(service: QueueService): Promise<Reply> {
  return replies.dashboard({ deadLetters: await customDeadLetters(service) });
}
