/**
 * The only file that spells a Redis key, for both layouts. `keys` is the original RestMQ's,
 * to the letter (shared/reference/originals.md A.5.1), so an old broker sharing a plain Redis
 * keeps working; streaming delivery adds keys under `restmq:`, which an old broker never reads.
 * `clusterKeys` (redis-cluster://) hash-tags every key of a queue with `{q}`.
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
  /** SQS metadata of a message (sqs-contract.ts): a string beside its body, deleted with it by
   *  every script that deletes the body, copied when it is dead-lettered or redriven. */
  metaSuffix: ':sqs',
  meta: (messageKey: string) => `${messageKey}:sqs`,
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
  /** STRING (PX: the registration TTL) → JSON reports of a broker's consumers of `q`
   *  (consumer-reports.ts), rewritten with each refresh of its registrations. A key of its own,
   *  so the consumers ZSET keeps its format and a broker that writes none still parses. */
  consumerReports: (q: string, brokerId: string) => `restmq:consumerreports:${q}:${brokerId}`,
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
  /** SCAN pattern of every dedup key of `q` (queue names hold no glob characters). */
  dedupPattern: (q: string) => `restmq:dedup:${q}:*`,

  // Metrics (meter-contract.ts); none of these exists in the original.
  /** ZSET message number → enqueue time (epoch ms, Redis clock), sampled at most once a second
   *  by enqueue-9.lua: what the age of the oldest message is read from. */
  clock: (q: string) => `restmq:clock:${q}`,
  /** HASH queue name → messages moved from it to a dead-letter queue (lua/lib/settle.lua). */
  deadLettered: 'restmq:deadlettered',
  /** ZSET `<brokerId>/<count>` → lapse time (epoch ms, the writer's clock): long polls waiting
   *  on each broker (redis-polls.ts). */
  polls: (q: string) => `restmq:polls:${q}`,

  // The SQS API (sqs-contract.ts); none of these exists in the original.
  /** STRING: the queue's SQS attributes and tags (JSON). */
  sqsQueue: (q: string) => `restmq:sqs:${q}`,
} as const;

/**
 * Where presque's bookkeeping lives (presque-contract.ts, redis-presque.ts): a counter is a
 * [hash, field] pair, a job's body a [key, field] pair ('' field: the key is the body).
 */
export interface PresqueLayout {
  processed: (q: string) => [string, string];
  failed: (q: string) => [string, string];
  /** HASH uniq token → job key ('' while its job is being enqueued). */
  uniq: (q: string) => string;
  /** HASH job key → uniq token. */
  uniqJob: (q: string) => string;
  /** SET of every registered worker. */
  workers: string;
  /** SET of the workers registered on `q`. */
  queueWorkers: (q: string) => string;
  /** SET of the queues `w` is registered on (ours: presque kept none). */
  workerQueues: (w: string) => string;
  /** HASH worker → jobs fetched / failures reported since it registered. */
  workerProcessed: string;
  workerFailed: string;
  body: (q: string, key: string) => [string, string];
}

/**
 * Queue names whose presque `workers:<q>` would be another key: presque's counter hashes
 * (`workers:processed`, `workers:failed`), or a key of a queue named `workers` (its list,
 * counter, policy, tokens, delayed jobs, message bodies).
 */
const CLASHING_WORKER_SETS = /^(processed|failed|queue|UUID|queuepolicy|uniq|delayed|[0-9]+)$/;

/**
 * presque's own keys (originals.md B.4), spelled as presque spells them, so an old presque on
 * the same Redis shares counters, workers and tokens; the worker set of a queue whose
 * `workers:<q>` would clash with another key gets a name of its own.
 */
export const presqueKeys: PresqueLayout = {
  processed: (q) => ['processed', q],
  failed: (q) => ['failed', q],
  uniq: (q) => `${q}:uniq`,
  /** The literal `foo:` is presque's leftover, kept for sharing. */
  uniqJob: (q) => `foo:${q}:uniq_job`,
  workers: 'workers',
  queueWorkers: (q) => (CLASHING_WORKER_SETS.test(q) ? `restmq:presque:workers:${q}` : `workers:${q}`),
  workerQueues: (w) => `restmq:presque:worker:${w}`,
  workerProcessed: 'workers:processed',
  workerFailed: 'workers:failed',
  body: (_q, key) => [key, ''],
};

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
  meta: keys.metaSuffix,
});

/**
 * LEASE_LAYOUT behind the fields an ack or a plain lease needs, one per line (lua/lib/
 * lazy_layout.lua): Redis decodes the JSON only when a script reads another field.
 */
export const LAZY_LAYOUT = [...template(keys.delayed), keys.leasedQueues, keys.refcountSuffix, keys.metaSuffix, LEASE_LAYOUT].join('\n');

/** Stored encodings of policy and status, as the original writes them. */
export const POLICY_CODES = { broadcast: '1', roundrobin: '2' } as const;
export const STATUS_CODES = { started: '1', stopped: '0' } as const;

/**
 * The cluster layout (redis-cluster://). Every key of queue `q` starts with the hash tag `{q}`,
 * so all of them live in one slot and every per-queue script touches one slot only. Queue names
 * hold no braces or colons (core/names.ts), so `{q}:` is a prefix no other queue shares. Message
 * bodies are fields of one hash per queue (field: the message number), so a script declares
 * the hash instead of building a body key per message; a TTL is a field of `expires`.
 * An old RestMQ cannot share a cluster (its keys span slots), so nothing here mimics it.
 */
const tagged = (q: string, name: string) => `{${q}}:${name}`;

export const clusterKeys = {
  /** INCR counter of message numbers; never reset. Its existence is what registers a queue. */
  counter: (q: string) => tagged(q, 'uuid'),
  /** LIST of pending message numbers: LPUSH at the head, RPOP at the tail (FIFO). */
  pending: (q: string) => tagged(q, 'queue'),
  /** HASH message number → body. */
  bodies: (q: string) => tagged(q, 'bodies'),
  /** HASH message number → expiry (epoch ms, Redis clock) of a body enqueued with a TTL. */
  expires: (q: string) => tagged(q, 'expires'),
  /** HASH message number → soft-get (JSON `get`) count. */
  refcounts: (q: string) => tagged(q, 'refcount'),
  /** "1" started, "0" stopped; absent means started. */
  status: (q: string) => tagged(q, 'status'),
  /** "1" broadcast, "2" roundrobin; absent means broadcast. */
  policy: (q: string) => tagged(q, 'policy'),
  /** ZSET `<brokerId>/<consumerId>` → registration expiry (epoch ms). */
  consumers: (q: string) => tagged(q, 'consumers'),
  /** STRING (PX) → JSON reports of a broker's consumers of the queue (consumer-reports.ts). */
  consumerReports: (q: string, brokerId: string) => tagged(q, `reports:${brokerId}`),
  /** ZSET message number → lease deadline (epoch ms). */
  leased: (q: string) => tagged(q, 'leased'),
  /** HASH message number → token of its current lease. */
  leaseTokens: (q: string) => tagged(q, 'tokens'),
  /** HASH message number → leases it has had. */
  attempts: (q: string) => tagged(q, 'attempts'),
  /** HASH of the section-6 settings: lease, max_attempts, dead_letter. */
  settings: (q: string) => tagged(q, 'settings'),
  /** HASH dead message number → the queue it died in (what redrive moves it back to). */
  origin: (q: string) => tagged(q, 'origin'),
  /** ZSET message number → due time (epoch ms) of a delayed message. */
  delayed: (q: string) => tagged(q, 'delayed'),
  /** ZSET message number → enqueue time (epoch ms), sampled at most once a second. */
  clock: (q: string) => tagged(q, 'clock'),
  /** HASH move id → move record: messages leaving this queue for another one (dead letters,
   *  redrive), kept until the target has them (cluster-moves.ts). */
  outbox: (q: string) => tagged(q, 'outbox'),
  /** Counter: messages moved from this queue to a dead-letter queue, ever. */
  deadLettered: (q: string) => tagged(q, 'deadlettered'),
  /** ZSET `<brokerId>/<count>` → lapse time: long polls waiting on each broker (redis-polls.ts). */
  polls: (q: string) => tagged(q, 'polls'),
  /** INCR counter: the roundrobin cursor, shared by every broker. */
  rotation: (q: string) => tagged(q, 'rr'),
  /** ZSET brokerId → expiry (epoch ms): brokers serving this queue, kept alive by their
   *  registrations and heartbeats; an expired one's inbox is returned by the reaper. */
  brokers: (q: string) => tagged(q, 'brokers'),
  /** LIST of a broker's inbox items for this queue: LPUSH at the head, the oldest at the tail. */
  inbox: (q: string, brokerId: string) => tagged(q, `inbox:${brokerId}`),
  /** STRING (EX DEDUP_SECONDS) → the number of the first message enqueued with dedup id `id`. */
  dedup: (q: string, id: string) => tagged(q, `dedup:${id}`),
  /** STRING (EX MOVE_SECONDS) → the number a move into this queue got: a repeated move is a no-op. */
  move: (q: string, moveId: string) => tagged(q, `move:${moveId}`),
  /** Sharded pub/sub channel of the queue's events, in the queue's slot. */
  events: (q: string) => tagged(q, 'events'),
  /** Sharded pub/sub channel of events that name no queue (wake). */
  brokerEvents: 'restmq:events',
  /** SET of every queue name, in a slot of its own: written outside the per-queue scripts
   *  (idempotent SADD), so listings check each member exists; `restmq repair-index` rebuilds it. */
  queueIndex: 'restmq:queues',
  /** SET of queues with leases, delayed messages or outgoing moves: what reapLeases() walks. */
  leasedQueues: 'restmq:leasedqueues',
  /** SET of queues some broker streams (their brokers ZSET exists): what reap() walks, dropping
   *  those no broker serves any more; a broker new to a queue adds it after its registration. */
  streamQueues: 'restmq:streamqueues',
  /** API key records, as in the plain layout (one key each, any slot). */
  authkey: (hash: string) => `AUTHKEY:${hash}`,
  /** STRING: the SQS API's record of the queue (attributes, tags; sqs-contract.ts). */
  sqsQueue: (q: string) => tagged(q, 'sqs'),
  /** HASH message number → SQS metadata of the message (sqs-contract.ts): written by the enqueue
   *  that writes its body, deleted with the body (lib/drop.lua), carried by moves (lib/ship.lua). */
  sqsMeta: (q: string) => tagged(q, 'sqsmeta'),
} as const;

/** The hash tag of every presque worker key in a cluster: one slot, so a worker's keys change
 *  in one script. Queue names hold no colon, so no queue's tag is this one. */
const PRESQUE_WORKERS = '{restmq:presque}';

/** presque's bookkeeping in the cluster layout: a queue's counters and tokens in its slot. */
export const clusterPresqueKeys: PresqueLayout = {
  processed: (q) => [tagged(q, 'presque'), 'processed'],
  failed: (q) => [tagged(q, 'presque'), 'failed'],
  uniq: (q) => tagged(q, 'uniq'),
  uniqJob: (q) => tagged(q, 'uniqjob'),
  workers: `${PRESQUE_WORKERS}:workers`,
  queueWorkers: (q) => `${PRESQUE_WORKERS}:queue:${q}`,
  workerQueues: (w) => `${PRESQUE_WORKERS}:worker:${w}`,
  workerProcessed: `${PRESQUE_WORKERS}:processed`,
  workerFailed: `${PRESQUE_WORKERS}:failed`,
  body: (q, key) => [clusterKeys.bodies(q), key.slice(q.length + 1)],
};

/** The per-queue keys every cluster script takes first, in this order (cluster/lib/queue.lua). */
export const CLUSTER_QUEUE_KEY_NAMES = [
  'pending', 'bodies', 'expires', 'refcounts', 'counter', 'status', 'policy', 'consumers', 'leased', 'leaseTokens',
  'attempts', 'settings', 'origin', 'delayed', 'clock', 'outbox', 'deadLettered', 'rotation', 'brokers', 'sqsMeta',
] as const;

export function clusterQueueKeys(q: string): string[] {
  return CLUSTER_QUEUE_KEY_NAMES.map((name) => clusterKeys[name](q));
}

/** The queue a cluster key belongs to (the text of its hash tag), or undefined. */
export function clusterQueueOf(key: string): string | undefined {
  const m = /^\{([^{}]+)\}:/.exec(key);
  return m?.[1];
}

/** How long a finished move is remembered by its target (longer than any retry can take). */
export const MOVE_SECONDS = 7 * 24 * 3600;
