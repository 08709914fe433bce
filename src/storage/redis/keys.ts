/**
 * The only file that spells a Redis key. The layout is the original RestMQ's, to the letter
 * (shared/reference/originals.md A.5.1), so an old broker sharing the Redis keeps working.
 * Streaming delivery adds keys under `restmq:`, which an old broker never reads.
 * Pinned by test/storage/redis-keys.test.ts.
 */

/** Set of every queue name. */
export const QUEUESET = 'QUEUESET';

export const keys = {
  /** INCR counter of message ids; never reset. */
  counter: (q: string) => `${q}:UUID`,
  /** List of pending message keys: LPUSH at the head, RPOP at the tail (FIFO). */
  pending: (q: string) => `${q}:queue`,
  /** Suffix a script appends to a queue name read from an inbox item, to build its pending list. */
  pendingSuffix: ':queue',
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

  // Streaming delivery (stream-contract.ts); none of these exists in the original.
  /** ZSET brokerId → heartbeat expiry (epoch ms, Redis clock). */
  brokers: 'restmq:brokers',
  /** ZSET `<brokerId>/<consumerId>` → registration expiry (epoch ms, Redis clock). */
  consumers: (q: string) => `restmq:consumers:${q}`,
  /** A consumers member: the broker is what a dispatch needs, the consumer what it assigns. */
  consumerMember: (brokerId: string, consumerId: string) => `${brokerId}/${consumerId}`,
  /** INCR counter: the roundrobin cursor of a queue, shared by every broker. */
  rotation: (q: string) => `restmq:rr:${q}`,
  /** LIST of a broker's inbox items: LPUSH at the head, the oldest at the tail. */
  inbox: (brokerId: string) => `restmq:inbox:${brokerId}`,
  /** Prefix a script appends a broker id to, to build that broker's inbox. */
  inboxPrefix: 'restmq:inbox:',
  /** The pub/sub channel of every StoreEvent, for every broker and queue. Pub/sub ignores
   *  SELECT, so brokers on another database of the same Redis get a channel of their own. */
  events: (db: number) => (db === 0 ? 'restmq:events' : `restmq:events:db${db}`),
} as const;

/** Stored encodings of policy and status, as the original writes them. */
export const POLICY_CODES = { broadcast: '1', roundrobin: '2' } as const;
export const STATUS_CODES = { started: '1', stopped: '0' } as const;
