/**
 * The schemas of the original REST API's routes (messages.ts, admin.ts, stats.ts): the
 * arguments in the order each handler checks them, and the replies it gives.
 */
import { args, empty, envelope, failure, json, legacy, pathParams, receipt, receiptCheckedLater, type RouteSchema } from '../../http/kit/schemas.js';

const TAKE_ARGS = args(['callback', 'count', 'lease', 'wait']);
const ENQUEUE_ARGS = args(['callback', 'ttl', 'delay', 'dedup', 'batch', 'msg', 'value']);
const taken = {
  200: {
    description: 'one message envelope (as text/html, like the original), or with `count` a JSON array of them; with `callback`: application/javascript',
    content: { 'text/html': { schema: envelope }, 'application/json': { schema: { type: 'array', items: envelope } } },
  },
  400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK', 'INVALID_COUNT', 'INVALID_LEASE', 'INVALID_WAIT'),
};
const enqueueBody = {
  content: {
    'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { msg: { type: 'string' }, value: { type: 'string' } } } },
    'text/plain': { schema: { type: 'string', description: 'the message, stored byte for byte' } },
    'application/json': { schema: { description: 'the message, stored byte for byte; with `batch=1` an array of 1 to 1000 strings' } },
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
  },
};
const enqueued = {
  200: {
    description: 'the new key `<queue>:<n>` as text, or with `batch=1` a JSON array of keys; with `callback`: application/javascript',
    content: { 'text/html': { schema: { type: 'string', example: 'orders:1' } }, 'application/json': { schema: { type: 'array', items: { type: 'string' } } } },
  },
  400: failure('INVALID_QUEUE_NAME', 'MISSING_ARGUMENT', 'INVALID_CALLBACK', 'INVALID_TTL', 'INVALID_DELAY', 'INVALID_DEDUP', 'INVALID_BATCH', 'INVALID_JSON', 'INVALID_UTF8'),
  413: failure('PAYLOAD_TOO_LARGE'),
};
const leaseReply = json('what happened to the lease', { type: 'object', properties: { queue: { type: 'string' }, receipt: { type: 'string' }, status: { type: 'string' } } });
const leaseErrors = { 400: failure('INVALID_QUEUE_NAME', 'INVALID_RECEIPT', 'INVALID_LEASE', 'INVALID_DELAY'), 409: failure('STALE_RECEIPT') };

export const MESSAGE_SCHEMAS = {
  rootGet: {
    summary: 'Take a message (the original GET /?queue=)',
    description: 'Without `queue`: 302 to the dashboard.',
    tags: ['messages'],
    querystring: args(['queue', 'callback', 'count', 'lease', 'wait']),
    onlyWith: 'queue',
    response: { ...taken, 302: empty('no `queue`: to /dashboard/'), 404: failure('QUEUE_EMPTY') },
  },
  rootPost: {
    summary: 'Enqueue a message (the original POST /)',
    tags: ['messages'],
    querystring: args(['queue', 'callback', 'ttl', 'delay', 'dedup', 'batch', 'msg', 'value']),
    onlyWith: 'queue',
    body: enqueueBody,
    bodyOptional: true,
    response: enqueued,
  },
  list: { summary: 'List the queues (HTML)', tags: ['messages'], response: { 200: legacy('an HTML list of queues') } },
  noName: { summary: 'Refused: a queue needs a name', tags: ['messages'], response: { 400: failure('INVALID_QUEUE_NAME') } },
  ack: {
    summary: 'Acknowledge a leased message',
    tags: ['leases'],
    params: pathParams({ receipt }),
    response: { 200: leaseReply, ...leaseErrors },
  },
  nack: {
    summary: 'Return a leased message to the queue',
    tags: ['leases'],
    params: pathParams({ receipt: receiptCheckedLater }),
    querystring: args(['delay']),
    response: { 200: leaseReply, ...leaseErrors },
  },
  extend: {
    summary: 'Prolong a lease',
    tags: ['leases'],
    params: pathParams({ receipt: receiptCheckedLater }),
    querystring: { ...args(['lease']), required: ['lease'] },
    response: { 200: leaseReply, ...leaseErrors },
  },
  move: {
    summary: 'Move a leased message to another queue',
    description: 'The lease ends: the message becomes a new message at the end of `to` (attempts afresh, its TTL kept) and its receipt is stale.',
    tags: ['leases'],
    params: pathParams({ receipt: receiptCheckedLater }),
    querystring: { ...args(['to']), required: ['to'] },
    response: { 200: leaseReply, ...leaseErrors },
  },
  redrive: {
    summary: "Move a dead-letter queue's messages back where they died",
    tags: ['leases'],
    params: pathParams(),
    response: { 200: json('how many messages moved, per queue'), 400: failure('INVALID_QUEUE_NAME') },
  },
  take: {
    summary: 'Take a message, or lease it (`lease=`), or wait for one (`wait=`)',
    tags: ['messages'],
    params: pathParams(),
    querystring: TAKE_ARGS,
    response: { ...taken, 204: empty('the queue is empty (or stopped: `X-RestMQ-Status: stopped`)') },
  },
  enqueue: {
    summary: 'Enqueue a message (form field, raw body, or a JSON batch)',
    tags: ['messages'],
    params: pathParams(),
    querystring: ENQUEUE_ARGS,
    body: enqueueBody,
    bodyOptional: true,
    response: enqueued,
  },
  purge: {
    summary: 'Purge: delete the pending messages',
    tags: ['messages'],
    params: pathParams(),
    querystring: args(['callback']),
    response: { 200: legacy('`{"queue": q, "status": 0/1}`'), 400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK') },
  },
} satisfies Record<string, RouteSchema>;


export const ADMIN_SCHEMAS = {
  getPolicy: {
    summary: 'The delivery policy and settings of a queue',
    tags: ['admin'],
    params: pathParams(),
    querystring: args(['callback']),
    response: { 200: legacy('`{"queue", "policy", ...settings}`'), 400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK') },
  },
  setPolicy: {
    summary: 'Set the delivery policy and/or the reliability settings of a queue',
    tags: ['admin'],
    params: pathParams(),
    querystring: args(['callback', 'policy', 'lease', 'max_attempts', 'dead_letter']),
    response: {
      200: legacy('`OK`, or `null` for an unknown policy'),
      400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK', 'INVALID_LEASE', 'INVALID_SETTING', 'MISSING_ARGUMENT'),
    },
  },
  deleteQueue: {
    summary: 'Delete a queue: end its streams, delete its messages, settings and counters, unlist it',
    description: 'Unlike `DELETE /q/<q>` (purge), the queue itself goes. A later enqueue creates it anew, keys from `<q>:1`.',
    tags: ['admin'],
    params: pathParams(),
    response: { 204: empty('deleted'), 400: failure('INVALID_QUEUE_NAME'), 404: failure('QUEUE_NOT_FOUND') },
  },
  controlAll: { summary: 'Flow control status of every queue', tags: ['admin'], response: { 200: legacy('`{"redis": ..., "queues": {q: status}}`') } },
  control: {
    summary: 'Flow control status of a queue (1 started, 0 stopped)',
    tags: ['admin'],
    params: pathParams(),
    response: { 200: legacy('`{"redis": ..., "queue": q, "status": 0/1}`'), 400: failure('INVALID_QUEUE_NAME') },
  },
  setControl: {
    summary: 'Start or stop a queue (a stopped queue looks empty to consumers)',
    tags: ['admin'],
    params: pathParams(),
    querystring: args(['callback', 'status']),
    response: { 200: legacy('the new status, or `{"invalid": word}`'), 400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK') },
  },
} satisfies Record<string, RouteSchema>;

export const STATS_SCHEMAS = {
  all: {
    summary: 'Stats of every queue',
    tags: ['stats'],
    querystring: args(['callback']),
    response: { 200: legacy('`{"redis", "queues": {q: {len, status, policy, ready, inflight, delayed, dead, consumers, polls}}}`'), 400: failure('INVALID_CALLBACK') },
  },
  queue: {
    summary: 'Stats of a queue',
    tags: ['stats'],
    params: pathParams(),
    querystring: args(['callback']),
    response: { 200: legacy('`{"redis", "queue", "len", "status", "policy", ...}`'), 400: failure('INVALID_QUEUE_NAME', 'INVALID_CALLBACK') },
  },
  job: {
    summary: 'Job page: counts and a peek at the oldest messages (HTML, or JSON with Accept: application/json)',
    tags: ['stats'],
    params: pathParams(),
    response: { 200: { description: 'HTML page or JSON', content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } } }, 400: failure('INVALID_QUEUE_NAME') },
  },
} satisfies Record<string, RouteSchema>;
