/**
 * The SDK's one way to the broker: fetch with the base URL, auth, a timeout, and broker
 * errors turned into RestMQError.
 */
import { RestMQError, errorFromReply } from './errors.js';
import type { Auth, ClientOptions } from './types.js';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Form fields (application/x-www-form-urlencoded). */
  form?: Record<string, string | number | undefined>;
  /** A JSON body (application/json). */
  json?: unknown;
  /** A raw text body (text/plain: stored byte for byte, never trimmed). */
  text?: string;
  /** Added to the client's timeout (long polls). */
  extraTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function authHeaders(auth: Auth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  if ('apiKey' in auth) return { authorization: `Bearer ${auth.apiKey}` };
  return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` };
}

function params(fields: Record<string, string | number | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, String(v));
  return p;
}

export class HttpClient {
  readonly base: string;
  readonly timeoutMs: number;
  readonly headers: Record<string, string>;

  constructor(options: ClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = authHeaders(options.auth);
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const q = query ? params(query).toString() : '';
    return this.base + path + (q ? `?${q}` : '');
  }

  /** One request; a status of 400 or more throws the broker's error. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpReply> {
    const headers: Record<string, string> = { ...this.headers };
    let body: string | undefined;
    if (opts.form !== undefined) {
      body = params(opts.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.text !== undefined) {
      body = opts.text;
      headers['content-type'] = 'text/plain; charset=utf-8';
    }
    const timeout = AbortSignal.timeout(this.timeoutMs + (opts.extraTimeoutMs ?? 0));
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url(path, opts.query), { method, headers, redirect: 'manual', signal, ...(body === undefined ? {} : { body }) });
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw new RestMQError(`${method} ${path}: no reply within ${this.timeoutMs} ms`, 0, 'TIMEOUT', { cause: err });
      if (opts.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new RestMQError(`cannot reach ${this.base}: ${detail}`, 0, 'CONNECTION_FAILED', { cause: err });
    }
    if (res.status >= 400) throw errorFromReply(res.status, text);
    return { status: res.status, headers: res.headers, text };
  }

  /** A request whose reply is JSON (the broker's legacy `\r\n` ending is fine for JSON.parse). */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    return parseJson<T>(r.text, `${method} ${path}`);
  }
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RestMQError(`${what}: the reply is not JSON: ${text.slice(0, 200)}`, 200, 'BAD_REPLY', { cause: err });
  }
}
