/**
 * The error catalogue: every error the broker raises has a code here, with its HTTP status
 * and a default message. Replies carry `{"error": message, "code": code}`.
 * The README's error table is checked against this list by test/unit/errors-readme.test.ts.
 */
export const ERRORS = {
  INVALID_QUEUE_NAME: { status: 400, message: 'invalid queue name: 1-128 characters from A-Z a-z 0-9 _ . - (QUEUESET, AUTHKEY and queuestat are reserved; . and .. are refused)' },
  MISSING_ARGUMENT: { status: 400, message: 'a required argument is missing' },
  EMPTY_VALUE: { status: 400, message: 'the message value is empty' },
  INVALID_UTF8: { status: 400, message: 'the request is not valid UTF-8' },
  INVALID_ENCODING: { status: 400, message: 'the request body or query string is not properly encoded' },
  INVALID_TTL: { status: 400, message: 'ttl must be a whole number of seconds between 1 and 31536000' },
  INVALID_COUNT: { status: 400, message: 'count must be a whole number between 1 and 100' },
  INVALID_CALLBACK: { status: 400, message: 'invalid JSONP callback name' },
  INVALID_JSON: { status: 400, message: 'the body is not valid JSON' },
  INVALID_COMMAND: { status: 400, message: 'the JSON protocol needs an object with a string "cmd"' },
  INVALID_BATCH: { status: 400, message: 'a batch is a JSON array of 1 to 1000 strings' },
  INVALID_KEY: { status: 400, message: 'invalid message key' },
  INVALID_RECEIPT: { status: 400, message: 'invalid receipt: expected <n>.<token> as handed out with a lease' },
  INVALID_LEASE: { status: 400, message: 'lease must be a whole number of seconds between 1 and 43200' },
  INVALID_DELAY: { status: 400, message: 'delay must be a whole number of seconds between 0 and 43200' },
  INVALID_SETTING: { status: 400, message: 'invalid queue setting' },
  INVALID_DEDUP: { status: 400, message: 'dedup must be 1 to 128 printable ASCII characters' },
  INVALID_AUTHKEY: { status: 400, message: 'invalid API key request: queues are patterns of A-Z a-z 0-9 _ . - and *, privs are read, write, admin' },
  INVALID_PREFETCH: { status: 400, message: 'prefetch must be a whole number between 1 and 1000' },
  INVALID_WAIT: { status: 400, message: 'wait must be a whole number of seconds between 0 and 60' },
  INVALID_PAGE: { status: 400, message: 'offset must be a whole number from 0, limit a whole number between 1 and 10000' },
  INVALID_COLLECTD: { status: 400, message: 'not a collectd post: /collectd/data takes PUTVAL lines or JSON, /collectd/event a notification' },
  ACCESS_DENIED: { status: 401, message: 'access denied for this address' },
  AUTH_REQUIRED: { status: 401, message: 'authentication required' },
  FORBIDDEN: { status: 403, message: 'these credentials do not allow this action on this queue' },
  QUEUE_EMPTY: { status: 404, message: 'queue is empty' },
  QUEUE_NOT_FOUND: { status: 404, message: 'no such queue' },
  NOT_FOUND: { status: 404, message: 'no such route' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request was not received in time' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this route' },
  STALE_RECEIPT: { status: 409, message: 'the receipt is stale: the lease ended, was acknowledged, or was given to another consumer' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the message or request body is over the size limit' },
  URI_TOO_LONG: { status: 414, message: 'the request URL is over the length limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported Content-Type' },
  UPGRADE_REQUIRED: { status: 426, message: 'this route is a WebSocket: send an Upgrade: websocket request' },
  TOO_MANY_STREAMS: { status: 429, message: 'too many streaming connections from this address' },
  TOO_MANY_LONG_POLLS: { status: 429, message: 'too many long polls waiting from this address' },
  HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are over the size limit' },
  STORE_UNAVAILABLE: { status: 503, message: 'the store is unavailable' },
  REPLICATION_TIMEOUT: { status: 503, message: 'the write was not confirmed by enough Redis replicas in time: the message may or may not be stored; retry with a dedup id to avoid a duplicate' },
  SHUTTING_DOWN: { status: 503, message: 'the broker is shutting down' },
  INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A typed broker error: code → status; `message` is safe to send to clients. */
export class BrokerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'BrokerError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}

export function isBrokerError(err: unknown): err is BrokerError {
  return err instanceof BrokerError;
}
