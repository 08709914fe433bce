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

  // Leases (lease-contract.ts); none of these exists in the original. A leased message keeps
  // its body `<q>:<n>` and is simply absent from `<q>:queue`, so an old broker skips it.
  /** ZSET message key → lease deadline (epoch ms, Redis clock). */
  leased: (q: string) => `restmq:leased:${q}`,
  /** HASH message key → token of its current lease; no field: nobody holds it (a delayed nack). */
  leaseTokens: (q: string) => `restmq:lease:${q}`,
  /** HASH message key → leases it has had (kept while it is pending again after a nack or expiry). */
  attempts: (q: string) => `restmq:attempts:${q}`,
  /** HASH of the queue's section-6 settings: lease (seconds), max_attempts, dead_letter. */
  settings: (q: string) => `restmq:settings:${q}`,
  /** SET of the queues that have leases: what reapLeases() walks without arguments. */
  leasedQueues: 'restmq:leasedqueues',
  /** HASH dead message key → the queue it died in (what redrive moves it back to). */
  origin: (deadQueue: string) => `restmq:origin:${deadQueue}`,

  // Delay and dedup on enqueue (SPEC section 6); none of these exists in the original.
  /** ZSET message key → due time (epoch ms, Redis clock) of a message enqueued with a delay. Its
   *  body `<q>:<n>` is written at once, but its key reaches `<q>:queue` only when the lease reaper
   *  (reapleases, or a lease on the queue) finds it due: an old broker never sees it early. */
  delayed: (q: string) => `restmq:delayed:${q}`,
  /** STRING (EX 300) → the key of the first message enqueued on `q` with dedup id `id`. */
  dedup: (q: string, id: string) => `restmq:dedup:${q}:${id}`,

  // Metrics (meter-contract.ts); none of these exists in the original.
  /** ZSET message number → enqueue time (epoch ms, Redis clock), sampled at most once a second
   *  by enqueue-9.lua: what the age of the oldest message is read from. */
  clock: (q: string) => `restmq:clock:${q}`,
  /** HASH queue name → messages moved from it to a dead-letter queue (lua/lib/settle.lua). */
  deadLettered: 'restmq:deadlettered',
} as const;

/** The default dead-letter queue of `q` (a queue name, not a key). */
export const defaultDeadLetter = (q: string) => `${q}.dead`;

/** `fn` as [prefix, suffix] around its queue-name argument, for a Lua script to build keys. */
function template(fn: (q: string) => string): [string, string] {
  const marker = '\u0000';
  const [prefix = '', suffix = ''] = fn(marker).split(marker);
  return [prefix, suffix];
}

/**
 * The layout the lease scripts build keys of other queues from (dead-letter queues, every
 * leased queue), as JSON: a [prefix, suffix] pair per per-queue key, global names as strings.
 * Keys of the queue a script works on still arrive as KEYS.
 */
export const LEASE_LAYOUT = JSON.stringify({
  pending: template(keys.pending),
  counter: template(keys.counter),
  message: template(keys.messagePrefix),
  status: template(keys.status),
  consumers: template(keys.consumers),
  leased: template(keys.leased),
  tokens: template(keys.leaseTokens),
  attempts: template(keys.attempts),
  settings: template(keys.settings),
  origin: template(keys.origin),
  delayed: template(keys.delayed),
  dead: template(defaultDeadLetter),
  policy: template(keys.policy),
  clock: template(keys.clock),
  queueset: keys.queueset,
  leasedqueues: keys.leasedQueues,
  deadlettered: keys.deadLettered,
  refcount: keys.refcountSuffix,
});

/** Stored encodings of policy and status, as the original writes them. */
export const POLICY_CODES = { broadcast: '1', roundrobin: '2' } as const;
export const STATUS_CODES = { started: '1', stopped: '0' } as const;
