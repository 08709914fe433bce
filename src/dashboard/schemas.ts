/**
 * Schemas of the dashboard's routes, for /openapi.json (tag `dashboard`) and for validating
 * the queue name and peek count with the same catalogue errors as the rest of the API.
 */
import { ARGUMENTS, failure, json, pathParams, reply, type JsonSchema, type RouteSchema } from '../http/kit/schemas.js';

const tags = ['dashboard'];
const int = { type: 'integer' };
const byTransport: JsonSchema = { type: 'object', properties: { comet: int, sse: int, ws: int, poll: int } };
const rates: JsonSchema = { type: 'object', properties: { enqueued: { type: 'number' }, delivered: { type: 'number' }, acked: { type: 'number' } }, description: 'per second, on this broker' };

const consumer: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    queue: { type: 'string' },
    transport: { type: 'string', enum: ['comet', 'sse', 'ws'] },
    remote: { type: 'string', description: 'client address' },
    since: { type: 'integer', description: 'connected since, ms since the epoch' },
    leased: { type: 'boolean', description: 'at-least-once (`?lease=`) rather than fan-out' },
    delivered: { type: 'integer', description: 'messages written to it so far' },
    unacked: { type: 'integer', description: 'leased: messages it holds unacknowledged' },
  },
};

const row: JsonSchema = {
  type: 'object',
  properties: {
    queue: { type: 'string' },
    ready: int,
    inflight: int,
    delayed: int,
    dead: int,
    consumers: { type: 'integer', description: 'streaming consumers on every broker' },
    transports: byTransport,
    status: { type: 'string', enum: ['started', 'stopped'] },
    policy: { type: 'string', enum: ['broadcast', 'roundrobin'] },
    oldestAgeSeconds: { type: ['number', 'null'] },
    rates,
  },
};

const snapshot: JsonSchema = {
  type: 'object',
  properties: { time: int, store: { type: 'string' }, queues: { type: 'array', items: row }, consumers: { type: 'array', items: consumer } },
};

const page = (summary: string): RouteSchema => ({ summary, tags, response: { 200: reply('HTML, JavaScript or CSS', 'text/html') } });

const snapshotPage: JsonSchema = {
  ...snapshot,
  properties: { ...(snapshot['properties'] as object), total: int, offset: int, limit: int },
};

export const DASHBOARD_SCHEMAS = {
  page: page('The dashboard page'),
  redirect: { summary: 'Redirects to /dashboard/', tags, response: { 302: { description: 'to /dashboard/' } } },
  asset: {
    summary: "The page's script and styles, and uPlot",
    tags,
    params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    response: { 200: reply('the file', 'text/javascript'), 404: failure('NOT_FOUND') },
  },
  config: {
    summary: 'What the page needs to know: read-only mode, store kind, sample period',
    tags,
    response: { 200: json('settings', { type: 'object', properties: { readOnly: { type: 'boolean' }, store: { type: 'string' }, periodMs: int } }) },
  },
  queues: {
    summary: 'One page of the queue table (by name) and the streaming consumers (rates are 0: the live feed has them)',
    tags,
    querystring: { type: 'object', properties: { offset: ARGUMENTS.offset.schema, limit: ARGUMENTS.limit.schema } },
    response: { 200: json('a page of the queue table; `total` counts every queue', snapshotPage), 400: failure('INVALID_PAGE') },
  },
  consumers: { summary: "This broker's streaming consumers", tags, response: { 200: json('consumers, oldest first', { type: 'array', items: consumer }) } },
  deadLetters: {
    summary: 'The queues whose dead-letter queue is not the default `<q>.dead`',
    tags,
    response: { 200: json('`deadLetters`: queue name → the dead-letter queue its `dead_letter` setting names') },
  },
  registry: {
    summary: "Every broker's streaming consumers, from the store's registry, with transport, address and counts",
    tags,
    response: { 200: json("`broker` (this one) and `consumers`: queue, id, broker, local, expiresAt, and the fields of /dashboard/api/consumers: this broker's live, another broker's as it last reported them with its registrations (`reportedAt`, at most one refresh interval, 5 s, old)") },
  },
  queue: {
    summary: 'One queue: counts, status, policy, settings and its streaming consumers on this broker',
    tags,
    params: pathParams(),
    response: { 200: json('the queue'), 400: failure('INVALID_QUEUE_NAME') },
  },
  peek: {
    summary: 'The oldest messages of a queue, left in place (not consumed, not hidden, not counted)',
    tags,
    params: pathParams(),
    querystring: { type: 'object', properties: { count: { ...ARGUMENTS.count.schema, description: 'how many (default 20)' } } },
    response: {
      200: json('messages, oldest first; values over 4,096 characters are cut (`truncated`; `bytes` is the full size)'),
      400: failure('INVALID_QUEUE_NAME', 'INVALID_COUNT'),
    },
  },
  messages: {
    summary: "One page of a queue's messages in one state, left in place; optionally only those whose key and value contain the given text",
    tags,
    params: pathParams(),
    querystring: {
      type: 'object',
      properties: {
        state: { type: 'string', description: 'ready (default, oldest first), inflight (by lease deadline) or delayed (by due time)' },
        offset: { type: 'string', description: 'skip this many (default 0)' },
        limit: { type: 'string', description: 'at most this many, 1-100 (default 25)' },
        key: { type: 'string', description: 'only keys containing this text' },
        value: { type: 'string', description: 'only values containing this text' },
      },
    },
    response: {
      200: json('`total` (matches, when searching), `complete` (false: the search stopped after 10,000 messages), `messages`: key, value (cut at 4,096 characters: `truncated`, `bytes`), `attempts`, `at` (lease deadline or due time, ms), `origin` (where a dead letter died), `receipt` (in flight: its lease\'s, for ack or nack)'),
      400: failure('INVALID_QUEUE_NAME', 'INVALID_PAGE'),
    },
  },
  events: {
    summary: 'Live feed (Server-Sent Events): `history` on connect, then `snapshot` once a period, `failure` while the store does not answer',
    tags,
    response: { 200: reply('an event stream that stays open', 'text/event-stream') },
  },
} satisfies Record<string, RouteSchema>;
