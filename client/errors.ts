/** Every failure the SDK reports: the broker's error code and status, or a client-side one. */
import { ERRORS, type ErrorCode } from '../src/errors.js';

/**
 * Client-side codes (status 0): the broker could not be reached, did not answer in time,
 * or answered something the SDK cannot read.
 */
export type ClientErrorCode = 'CONNECTION_FAILED' | 'TIMEOUT' | 'BAD_REPLY' | 'HTTP_ERROR' | 'COMMAND_FAILED';

export class RestMQError extends Error {
  override readonly name = 'RestMQError';
  constructor(
    message: string,
    /** HTTP status of the reply; 0 when there was none. */
    readonly status: number,
    /** The broker's code from its error catalogue, or a client-side code. */
    readonly code: ErrorCode | ClientErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRestMQError(err: unknown): err is RestMQError {
  return err instanceof RestMQError;
}

/** The broker's `{"error", "code"}` body, or a generic error for anything else. */
export function errorFromReply(status: number, text: string): RestMQError {
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.error === 'string' && typeof body.code === 'string') return new RestMQError(body.error, status, body.code as ErrorCode);
  } catch {
    // not the broker's JSON (a proxy's page, say): fall through
  }
  return new RestMQError(`HTTP ${status}: ${text.slice(0, 200)}`, status, 'HTTP_ERROR');
}

/** The HTTP status the broker gives a code (WebSocket replies carry the code alone). */
export function statusOf(code: string): number {
  return Object.hasOwn(ERRORS, code) ? ERRORS[code as ErrorCode].status : 400;
}
