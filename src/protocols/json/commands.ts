/**
 * The JSON protocol (`POST /queue`, WebSocket frames): one function per command over
 * QueueService. Missing or non-string fields answer `{"error": ...}` with status 200, as the
 * original did; invalid names and values, and a command that is not an object with a string
 * `cmd`, are BrokerErrors with their own status (400, 413...).
 */
import { BrokerError } from '../../errors.js';
import type { QueueService } from '../../core/queue-service.js';
import { assertQueueName, enqueueOptions, parseCount, parseDelaySeconds, parseLeaseSeconds, parseWaitSeconds } from '../../core/names.js';
import type { Json } from '../json-text.js';
import type { LeasedMessage, Policy } from '../../wire.js';

type Command = Record<string, unknown>;
/** `signal`: the client went away (a waiting take or lease stops waiting). */
type Run = (service: QueueService, c: Command, signal?: AbortSignal) => Promise<Json>;

/** A field error answered in-band with status 200. */
class FieldError extends Error {}

function field(c: Command, name: string): string {
  const v = c[name];
  if (v === undefined || v === null) throw new FieldError(`missing field: ${name}`);
  if (typeof v !== 'string') throw new FieldError(`${name} must be a string`);
  return v;
}

/** `wait`: seconds a take or lease waits for a message (also while the queue is stopped). */
function waitOf(c: Command): number {
  const w = c['wait'];
  return w === undefined || w === null ? 0 : parseWaitSeconds(String(w));
}

function queueOf(c: Command): string {
  return assertQueueName(field(c, 'queue'));
}

const COMMANDS: Record<string, Run> = {
  add: async (s, c) => {
    const queue = queueOf(c);
    const options = enqueueOptions(c['ttl'], c['delay'], c['dedup']);
    if (c['values'] !== undefined) {
      if (!Array.isArray(c['values'])) throw new FieldError('values must be an array of strings');
      return { queue, keys: await s.add(queue, c['values'] as unknown[], options) };
    }
    const value = field(c, 'value');
    const [key] = await s.add(queue, [value], options);
    return { queue, value, key: key! };
  },
  get: async (s, c) => {
    const queue = queueOf(c);
    const m = await s.softGet(queue);
    return m ? { queue, value: m.value, key: m.key, count: m.count } : { error: 'empty queue' };
  },
  take: async (s, c, signal) => {
    const queue = queueOf(c);
    const wait = waitOf(c);
    const r = wait > 0 ? await s.takeWaiting(queue, 1, wait, undefined, signal) : await s.take(queue, 1);
    const m = r.messages[0];
    if (m) return { queue, value: m.value, key: m.key };
    return { error: r.stopped ? 'queue stopped' : 'empty queue' };
  },
  del: async (s, c) => {
    const queue = queueOf(c);
    const key = field(c, 'key');
    return { queue, deleted: await s.remove(queue, key), key };
  },
  lease: async (s, c, signal) => {
    const queue = queueOf(c);
    const count = c['count'] === undefined ? undefined : parseCount(String(c['count']));
    const lease = parseLeaseSeconds(c['lease']);
    const wait = waitOf(c);
    const taken = wait > 0 ? await s.takeWaiting(queue, count ?? 1, wait, lease, signal) : await s.lease(queue, count ?? 1, lease);
    const r = { ...taken, messages: taken.messages as LeasedMessage[] };
    const one = (m: LeasedMessage) => ({ key: m.key, value: m.value, receipt: m.receipt, attempts: m.attempts });
    if (count !== undefined) return { queue, messages: r.messages.map(one) };
    const m = r.messages[0];
    return m ? { queue, ...one(m) } : { error: r.stopped ? 'queue stopped' : 'empty queue' };
  },
  ack: async (s, c) => {
    const queue = queueOf(c);
    const receipt = field(c, 'receipt');
    await s.ack(queue, receipt);
    return { queue, receipt, status: 'acked' };
  },
  nack: async (s, c) => {
    const queue = queueOf(c);
    const receipt = field(c, 'receipt');
    await s.nack(queue, receipt, parseDelaySeconds(c['delay']));
    return { queue, receipt, status: 'returned' };
  },
  extend: async (s, c) => {
    const queue = queueOf(c);
    const receipt = field(c, 'receipt');
    await s.extend(queue, receipt, parseLeaseSeconds(c['lease']));
    return { queue, receipt, status: 'extended' };
  },
  // The queue itself (DELETE /queues/<q>); `del` deletes a message.
  drop: async (s, c) => {
    const queue = queueOf(c);
    await s.deleteQueue(queue);
    return { queue, deleted: true };
  },
  len: async (s, c) => {
    const queue = queueOf(c);
    return { queue, len: (await s.stats(queue)).len };
  },
  stats: async (s, c) => ({ ...(await s.stats(queueOf(c))) }),
  policy: async (s, c) => {
    const queue = queueOf(c);
    if (c['policy'] !== undefined) {
      const p = field(c, 'policy');
      if (p !== 'broadcast' && p !== 'roundrobin') return { error: `invalid policy: ${p}` };
      await s.setPolicy(queue, p as Policy);
    }
    return { queue, value: await s.getPolicy(queue) };
  },
  status: async (s, c) => {
    const queue = queueOf(c);
    if (c['status'] !== undefined) {
      const word = field(c, 'status');
      if (word !== 'start' && word !== 'stop') return { error: `invalid status: ${word}` };
      await s.setStatus(queue, word === 'start' ? 'started' : 'stopped');
    }
    return { queue, status: (await s.getStatus(queue)) === 'stopped' ? 0 : 1 };
  },
};

/** Parses the JSON text of a command; not JSON or no string `cmd` → 400. */
export function parseCommand(text: string): Command {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BrokerError('INVALID_JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BrokerError('INVALID_COMMAND');
  const cmd = (parsed as Command)['cmd'];
  if (typeof cmd !== 'string' || cmd === '') throw new BrokerError('INVALID_COMMAND');
  return parsed as Command;
}

/** Runs one command; the result is the reply body (field errors included). */
export async function runCommand(service: QueueService, command: Command, signal?: AbortSignal): Promise<Json> {
  const run = Object.hasOwn(COMMANDS, command['cmd'] as string) ? COMMANDS[command['cmd'] as string] : undefined;
  if (!run) return { error: 'null resultset' };
  try {
    return await run(service, command, signal);
  } catch (err) {
    if (err instanceof FieldError) return { error: err.message };
    throw err;
  }
}
