/**
 * Which queues have a dead-letter queue of their own choosing (`GET /dashboard/api/dead-letters`):
 * the queue setting `dead_letter`, where it names another queue than the default `<q>.dead`.
 * The queue table nests such a queue under every queue that names it. Read from the settings
 * of every queue, a chunk at a time; the page asks every few seconds, not every sample, and
 * every open page asks: one reading serves them all for SHARED_MS (a change of settings or a
 * delete through this broker starts a new one at once; through another broker, at the next).
 */
import type { QueueService } from '../core/queue-service.js';
import { replies, type Reply } from '../protocols/replies.js';

const CHUNK = 200;
export const SHARED_MS = 2000;

interface Reading {
  at: number;
  generation: number;
  map: Promise<Record<string, string>>;
}

/** Per broker: the last reading, and a count of the changes that make it stale. */
const shared = new WeakMap<QueueService, { reading?: Reading; generation: number }>();

function sharedOf(service: QueueService): { reading?: Reading; generation: number } {
  let s = shared.get(service);
  if (!s) {
    const made: { reading?: Reading; generation: number } = { generation: 0 };
    const stale = () => void (made.generation++);
    service.onSettingsChanged(stale);
    service.onDeleted(stale);
    shared.set(service, made);
    s = made;
  }
  return s;
}

/** customDeadLetters, read at most once per SHARED_MS for every page that asks. */
export function sharedDeadLetters(service: QueueService): Promise<Record<string, string>> {
  const s = sharedOf(service);
  const now = Date.now();
  const r = s.reading;
  if (r && r.generation === s.generation && now - r.at < SHARED_MS) return r.map;
  const map = customDeadLetters(service);
  const reading: Reading = { at: now, generation: s.generation, map };
  s.reading = reading;
  // A failed reading is not shared: the next request reads again.
  map.catch(() => {
    if (s.reading === reading) s.reading = undefined;
  });
  return map;
}

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
  return replies.dashboard({ deadLetters: await sharedDeadLetters(service) });
}
