/**
 * The only file that spells a Redis key. The layout is the original RestMQ's, to the letter
 * (shared/reference/originals.md A.5.1), so an old broker sharing the Redis keeps working.
 * Pinned by test/storage/redis-keys.test.ts.
 */

/** Set of every queue name. */
export const QUEUESET = 'QUEUESET';

export const keys = {
  /** INCR counter of message ids; never reset. */
  counter: (q: string) => `${q}:UUID`,
  /** List of pending message keys: LPUSH at the head, RPOP at the tail (FIFO). */
  pending: (q: string) => `${q}:queue`,
  /** Message body (string, optional EXPIRE). */
  message: (q: string, n: number | string) => `${q}:${n}`,
  /** Prefix a script appends the counter value to, to build a message key. */
  messagePrefix: (q: string) => `${q}:`,
  /** Soft-get (JSON `get`) counter of a message key. */
  refcountSuffix: ':refcount',
  refcount: (messageKey: string) => `${messageKey}:refcount`,
  /** "1" broadcast, "2" roundrobin; absent means broadcast. */
  policy: (q: string) => `${q}:queuepolicy`,
  /** Two colons: the original formats 'queuestat:' with '%s:%s'. "1" started, "0" stopped. */
  status: (q: string) => `queuestat::${q}`,
  /** API key records (issue 5). */
  authkey: (key: string) => `AUTHKEY:${key}`,
  queueset: QUEUESET,
} as const;

/** Stored encodings of policy and status, as the original writes them. */
export const POLICY_CODES = { broadcast: '1', roundrobin: '2' } as const;
export const STATUS_CODES = { started: '1', stopped: '0' } as const;
