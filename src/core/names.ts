/**
 * Validation of the names and numbers that reach the core: queue names, message keys,
 * JSONP callbacks, ttl and count. Pure; every check throws a typed BrokerError. The patterns
 * and limits are exported: the route schemas (http/kit/schemas.ts) are built from them.
 */
import { BrokerError } from '../errors.js';
import type { EnqueueOptions } from '../storage/contract.js';

/** What an enqueue may ask for, as the service takes it (protocols know core, not storage). */
export type { EnqueueOptions };

export const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** Reserved because they are (or prefix) the legacy layout's global keys. */
export const RESERVED_QUEUE_NAMES: readonly string[] = ['QUEUESET', 'AUTHKEY', 'queuestat'];
/** Refused although they match QUEUE_NAME: the reserved names, and `.` and `..`, which a
 *  browser or URL library resolves as path steps (such a queue could not be addressed). */
export const REFUSED_QUEUE_NAMES: readonly string[] = [...RESERVED_QUEUE_NAMES, '.', '..'];
const REFUSED = new Set(REFUSED_QUEUE_NAMES);
export const CALLBACK = /^[A-Za-z_$][\w$.]{0,63}$/;
/** What `callback=` may hold: a name, or a lone `?` (jQuery's placeholder, sent literally by
 *  the original dashboard), which means no callback. */
export const CALLBACK_ARG = /^(?:\?|[A-Za-z_$][\w$.]{0,63})$/;
export const MAX_TTL_SECONDS = 365 * 24 * 3600;
export const MAX_TAKE_COUNT = 100;
export const MAX_WAIT_SECONDS = 60;

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name) && !REFUSED.has(name);
}

/** An object keyed by queue name, for JSON replies: no prototype, so that a queue named
 *  `__proto__` (or `constructor`) is an ordinary key. */
export function byQueueName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function assertQueueName(name: unknown): string {
  if (typeof name !== 'string' || !isValidQueueName(name)) throw new BrokerError('INVALID_QUEUE_NAME');
  return name;
}

/** A key of this queue, `<queue>:<digits>`; anything else (say `QUEUESET`) is refused. */
export function isKeyOfQueue(queue: string, key: string): boolean {
  if (!key.startsWith(queue + ':')) return false;
  const n = key.slice(queue.length + 1);
  return /^[1-9][0-9]{0,15}$/.test(n);
}

export function assertCallback(name: string | undefined): string | undefined {
  if (name === undefined || name === '?') return undefined;
  if (!CALLBACK.test(name)) throw new BrokerError('INVALID_CALLBACK');
  return name;
}

/** `ttl` as given by a client: absent, or a whole number of seconds in range. */
export function parseTtl(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TTL_SECONDS) throw new BrokerError('INVALID_TTL');
  return n;
}

export const MAX_LEASE_SECONDS = 12 * 3600;
export const RECEIPT = /^[1-9][0-9]{0,15}\.[A-Za-z0-9_-]{8,43}$/;

/** A receipt as handed out by a lease: `<n>.<token>` (token: URL-safe random characters). */
export function assertReceipt(raw: unknown): string {
  if (typeof raw !== 'string' || !RECEIPT.test(raw)) throw new BrokerError('INVALID_RECEIPT');
  return raw;
}

/** Seconds of a lease or an extension: a whole number from 1 to 12 hours. */
export function parseLeaseSeconds(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LEASE_SECONDS) throw new BrokerError('INVALID_LEASE');
  return n;
}

/** Seconds of a delay: absent or 0 for none, at most 12 hours. */
export function parseDelaySeconds(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 0;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_LEASE_SECONDS) throw new BrokerError('INVALID_DELAY');
  return n;
}

/** `wait` on GET (long poll): absent or 0 for none, at most MAX_WAIT_SECONDS. */
export function parseWaitSeconds(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_WAIT_SECONDS) throw new BrokerError('INVALID_WAIT');
  return n;
}

/** A producer's dedup id: 1–128 printable characters. */
export const DEDUP_ID = /^[\x21-\x7e]{1,128}$/;

export function assertDedupId(raw: unknown): string {
  if (typeof raw !== 'string' || !DEDUP_ID.test(raw)) throw new BrokerError('INVALID_DEDUP');
  return raw;
}

/** `count` on GET: absent means one message (and the single-envelope reply). */
export function parseCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TAKE_COUNT) throw new BrokerError('INVALID_COUNT');
  return n;
}

/** ttl, delay and dedup as given on an enqueue (SPEC sections 3 and 6). */
export function enqueueOptions(ttl: unknown, delay: unknown, dedup: unknown): EnqueueOptions {
  const options: EnqueueOptions = {};
  const ttlSeconds = parseTtl(ttl);
  if (ttlSeconds !== undefined) options.ttlSeconds = ttlSeconds;
  const delaySeconds = parseDelaySeconds(delay);
  if (delaySeconds > 0) options.delayMs = delaySeconds * 1000;
  if (dedup !== undefined && dedup !== null && dedup !== '') options.dedupId = assertDedupId(dedup);
  return options;
}
