/**
 * The dashboard's message lists (`GET /dashboard/api/queues/<q>/messages`): one page of a
 * queue's messages in one state, read through BrowseStore and left as they are. A search (a
 * substring of the key, of the value, or both) reads the queue in chunks from its start, up
 * to SEARCH_SCAN messages, and pages through the matches; `complete` says whether the whole
 * state was searched.
 */
import type { FastifyRequest } from 'fastify';
import { BrokerError } from '../errors.js';
import type { QueueService } from '../core/queue-service.js';
import { argsOf, queueParam } from '../http/kit/body.js';
import { replies, type Reply } from '../protocols/replies.js';
import type { BrowsedMessage, MessageState } from '../storage/browse-contract.js';

/** Longest value text a list returns; the page shows the size of the whole. */
export const VALUE_CHARS = 4096;
const STATES: readonly string[] = ['ready', 'inflight', 'delayed'] satisfies MessageState[];
const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const CHUNK = 500;
/** Messages a search reads at most, per request. */
export const SEARCH_SCAN = 10_000;
const PAGE_ERROR = 'state must be ready, inflight or delayed; offset a whole number from 0; limit from 1 to 100';

function whole(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new BrokerError('INVALID_PAGE', PAGE_ERROR);
  return n;
}

const shown = (m: BrowsedMessage) => ({
  key: m.key,
  value: m.value.length > VALUE_CHARS ? m.value.slice(0, VALUE_CHARS) : m.value,
  bytes: Buffer.byteLength(m.value, 'utf8'),
  truncated: m.value.length > VALUE_CHARS,
  attempts: m.attempts,
  at: m.at,
  origin: m.origin,
  receipt: m.receipt,
});

export async function listMessages(service: QueueService, req: FastifyRequest): Promise<Reply> {
  const queue = queueParam(req);
  const args = argsOf(req);
  const state = args.get('state') ?? 'ready';
  if (!STATES.includes(state)) throw new BrokerError('INVALID_PAGE', PAGE_ERROR);
  const offset = whole(args.get('offset'), 0, 0, 1e9);
  const limit = whole(args.get('limit'), DEFAULT_LIMIT, 1, MAX_LIMIT);
  const key = args.get('key') ?? '';
  const value = args.get('value') ?? '';
  const base = { queue, state, offset, limit, key, value };
  if (key === '' && value === '') {
    const page = await service.browse(queue, state as MessageState, offset, limit);
    return replies.dashboard({ ...base, total: page.total, complete: true, messages: page.messages.map(shown) });
  }
  const matches: BrowsedMessage[] = [];
  let found = 0;
  let read = 0;
  let complete = false;
  while (read < SEARCH_SCAN) {
    const page = await service.browse(queue, state as MessageState, read, Math.min(CHUNK, SEARCH_SCAN - read));
    for (const m of page.messages) {
      if (!m.key.includes(key) || !m.value.includes(value)) continue;
      if (found >= offset && matches.length < limit) matches.push(m);
      found++;
    }
    read += CHUNK;
    if (read >= page.total) {
      complete = true;
      break;
    }
  }
  return replies.dashboard({ ...base, total: found, complete, messages: matches.map(shown) });
}
