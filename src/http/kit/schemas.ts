/**
 * The shared pieces of the route schemas: the queue name, the request arguments with the
 * catalogue error each one raises, reply bodies and error replies. Routes validate their
 * `params` and `querystring` with these (one source for the server and /openapi.json). Patterns
 * and limits come from core/names.ts, whose checks the handlers keep for the exact text: a value
 * refused here is refused there with the same code.
 */
import { ERRORS, type ErrorCode } from '../../errors.js';
import { CALLBACK_ARG, DEDUP_ID, MAX_LEASE_SECONDS, MAX_TAKE_COUNT, MAX_TTL_SECONDS, MAX_WAIT_SECONDS, QUEUE_NAME, RECEIPT, REFUSED_QUEUE_NAMES } from '../../core/names.js';
import { MAX_PREFETCH } from '../../core/lease-streams.js';

export type JsonSchema = Record<string, unknown>;

/** The documented parts of a route method; only params and querystring are validated. */
export interface RouteSchema {
  summary: string;
  description?: string;
  tags: string[];
  params?: JsonSchema;
  querystring?: JsonSchema;
  /** Arguments are validated only when this one is given (without it the handler reads none). */
  onlyWith?: ArgumentName;
  /** Documentation only: bodies are read raw by the handlers (forms, text, JSON, multipart). */
  body?: JsonSchema;
  /** The body may be left out (its fields can come in the query string instead). */
  bodyOptional?: boolean;
  /** Documentation only: replies are preformatted text and never serialized by Fastify. */
  response?: Record<number, JsonSchema>;
}

export const queueName: JsonSchema = {
  type: 'string',
  pattern: QUEUE_NAME.source,
  not: { enum: [...REFUSED_QUEUE_NAMES] },
  description: '1-128 characters from A-Z a-z 0-9 _ . - (QUEUESET, AUTHKEY and queuestat are reserved; . and .. are refused)',
};

const seconds = (minimum: number, maximum: number, description: string): JsonSchema => ({ type: 'integer', minimum, maximum, description });

interface Argument {
  schema: JsonSchema;
  /** What a value refused by `schema` answers (the handler raises the same). */
  error?: { code: ErrorCode; message?: string };
}

/** A page of the dashboard's queue list: the default and largest `limit`. */
export const DEFAULT_PAGE_LIMIT = 1000;
export const MAX_PAGE_LIMIT = 10_000;

/** Every request argument (query string or form field) a route validates or documents. */
export const ARGUMENTS = {
  queue: { schema: queueName, error: { code: 'INVALID_QUEUE_NAME' } },
  value: { schema: { type: 'string', description: 'the message (`msg` wins when both are given)' } },
  msg: { schema: { type: 'string', description: 'the message (same as `value`)' } },
  callback: {
    schema: { type: 'string', pattern: CALLBACK_ARG.source, description: 'JSONP: wrap the reply in `name(...);` (application/javascript); a lone `?` is no callback' },
    error: { code: 'INVALID_CALLBACK' },
  },
  ttl: { schema: seconds(1, MAX_TTL_SECONDS, 'seconds before the message expires unread'), error: { code: 'INVALID_TTL' } },
  delay: { schema: seconds(0, MAX_LEASE_SECONDS, 'seconds before the message can be taken'), error: { code: 'INVALID_DELAY' } },
  dedup: {
    schema: { type: 'string', pattern: DEDUP_ID.source, description: 'producer dedup id: a second enqueue with the same id within 5 minutes is dropped' },
    error: { code: 'INVALID_DEDUP' },
  },
  offset: { schema: { type: 'integer', minimum: 0, description: 'skip this many queues (by name)' }, error: { code: 'INVALID_PAGE' } },
  limit: { schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, description: `at most this many queues (default ${DEFAULT_PAGE_LIMIT})` }, error: { code: 'INVALID_PAGE' } },
  batch: { schema: { type: 'string', description: '`1` or `true`: the body is a JSON array of strings, enqueued at once (other values: not a batch)' } },
  count: { schema: { type: 'integer', minimum: 1, maximum: MAX_TAKE_COUNT, description: 'take up to this many; the reply is then a JSON array' }, error: { code: 'INVALID_COUNT' } },
  lease: { schema: seconds(1, MAX_LEASE_SECONDS, 'lease the message(s) for this long instead of removing them'), error: { code: 'INVALID_LEASE' } },
  prefetch: {
    schema: { type: 'integer', minimum: 1, maximum: MAX_PREFETCH, description: 'leased stream: the most unacknowledged messages this consumer holds (default 10)' },
    error: { code: 'INVALID_PREFETCH' },
  },
  wait: { schema: seconds(0, MAX_WAIT_SECONDS, 'long poll: wait up to this long for a message'), error: { code: 'INVALID_WAIT' } },
  policy: { schema: { type: 'string', description: '`broadcast` or `roundrobin` (any other value answers 200 `null`)' } },
  max_attempts: {
    schema: { type: 'integer', minimum: 1, maximum: 9999, description: 'deliveries of a leased message before it goes to the dead-letter queue' },
    error: { code: 'INVALID_SETTING', message: 'max_attempts must be a whole number from 1 to 9999' },
  },
  dead_letter: { schema: { ...queueName, description: 'queue receiving messages past max_attempts' }, error: { code: 'INVALID_QUEUE_NAME' } },
  status: { schema: { type: 'string', description: '`start` or `stop` (any other value answers 200 with `invalid`)' } },
  to: { schema: { ...queueName, description: 'the queue the message moves to' }, error: { code: 'INVALID_QUEUE_NAME' } },
  body: { schema: { type: 'string', description: 'a JSON protocol command (as `msg`)' } },
} as const satisfies Record<string, Argument>;

export type ArgumentName = keyof typeof ARGUMENTS;

/**
 * A querystring schema of these arguments (query string and form fields: routes merge both
 * before validating). Listed in the order the handler checks them, so the first error is the
 * one it would raise. `loose` ones are documented but not checked (the handler may ignore them).
 */
export function args(names: ArgumentName[], loose: ArgumentName[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const name of names) {
    const schema: JsonSchema = { ...ARGUMENTS[name].schema };
    if (loose.includes(name)) delete schema['pattern'];
    properties[name] = schema;
  }
  return { type: 'object', properties };
}

/** The `:queue` path parameter (plus others, e.g. `receipt`). */
export function pathParams(extra: Record<string, JsonSchema> = {}): JsonSchema {
  return { type: 'object', properties: { queue: queueName, ...extra }, required: ['queue', ...Object.keys(extra)] };
}

const RECEIPT_PATTERN = RECEIPT.source;
export const receipt: JsonSchema = { type: 'string', pattern: RECEIPT_PATTERN, description: 'a receipt handed out with a lease: `<n>.<token>`' };
/** Where the handler reads an argument first, the receipt is checked after it, by the handler. */
export const receiptCheckedLater: JsonSchema = { type: 'string', description: `a receipt handed out with a lease: \`<n>.<token>\` (${RECEIPT_PATTERN})` };

/** The catalogue error for a value the schema refused: by argument name, else by path part. */
export function errorFor(part: string, name: string | undefined): { code: ErrorCode; message?: string } {
  if (name === 'receipt') return { code: 'INVALID_RECEIPT' };
  const argument = name === undefined ? undefined : (ARGUMENTS as Record<string, Argument>)[name];
  if (argument?.error) return argument.error;
  return { code: part === 'params' ? 'INVALID_QUEUE_NAME' : 'INVALID_ENCODING' };
}

// Reply descriptions (documentation only).

const errorBody: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, code: { type: 'string', enum: Object.keys(ERRORS) } },
  required: ['error', 'code'],
};

/** A reply with a body of this media type. */
export function reply(description: string, mediaType: string, schema: JsonSchema = { type: 'string' }): JsonSchema {
  return { description, content: { [mediaType]: { schema } } };
}

/** A reply without a body. */
export function empty(description: string): JsonSchema {
  return { description, type: 'null' };
}

/** `{"error", "code"}` with the codes this status can carry. */
export function failure(...codes: ErrorCode[]): JsonSchema {
  return reply(codes.join(', '), 'application/json', { ...errorBody, properties: { ...(errorBody['properties'] as object), code: { type: 'string', enum: codes } } });
}

/** Legacy replies: JSON-like text, `text/html; charset=UTF-8`, ending in CRLF. */
export const legacy = (description: string): JsonSchema => reply(description, 'text/html', { type: 'string' });
export const json = (description: string, schema: JsonSchema = { type: 'object' }): JsonSchema => reply(description, 'application/json', schema);

export const envelope: JsonSchema = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    key: { type: 'string', example: 'orders:1' },
    value: { type: 'string' },
    receipt: { type: 'string', description: 'when leased' },
    attempts: { type: 'integer', description: 'when leased' },
  },
  required: ['count', 'key', 'value'],
};
