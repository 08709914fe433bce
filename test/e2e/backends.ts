/**
 * Shared by the e2e suites: run one suite per backend (sqlite temp file, memory, redis on the
 * file's own redis-server), and small helpers for plain `fetch` over loopback.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { useTestBroker, type BackendName } from '../harness/broker.js';
import type { RedisServer } from '../harness/redis.js';
import { ERRORS } from '../../src/errors.js';
import { spreadQueueName } from '../harness/cluster-spread.js';

export const BACKENDS: readonly BackendName[] = ['sqlite', 'memory', 'redis'];
/** The backends plus a Redis Cluster (six redis-servers per file: opted into by a few groups). */
export const WITH_CLUSTER: readonly BackendName[] = [...BACKENDS, 'redis-cluster'];

export interface Ctx {
  backend: BackendName;
  /** Base URL of the running broker. */
  url: string;
  /** What /stats/ and /control/ report as "redis": the store kind. */
  storeKind: string;
  redis?: RedisServer;
}

const ALL: readonly BackendName[] = WITH_CLUSTER;
/** RESTMQ_E2E_BACKENDS=redis-cluster,sqlite (say) runs the e2e groups on those backends only. */
export function selected(wanted: readonly BackendName[]): readonly BackendName[] {
  const only = process.env['RESTMQ_E2E_BACKENDS']?.split(',').map((s) => s.trim()).filter((s): s is BackendName => ALL.includes(s as BackendName));
  return only && only.length > 0 ? wanted.filter((b) => only.includes(b)) : wanted;
}

/**
 * `describe(backend)` for each backend, with a broker started before and closed after.
 * `suite` receives a getter (the broker only exists once `before` has run).
 */
export function forEachBackend(suite: (ctx: () => Ctx) => void, opts: { flags?: Record<string, string>; backends?: readonly BackendName[] } = {}): void {
  for (const backend of selected(opts.backends ?? BACKENDS)) {
    describe(backend, () => {
      const broker = useTestBroker(backend, opts.flags ? { flags: opts.flags } : {});
      suite(() => {
        const b = broker();
        // A cluster store is a Redis store to the broker's reports.
        return { backend, url: b.url, storeKind: backend === 'redis-cluster' ? 'redis' : backend, ...(b.redis ? { redis: b.redis } : {}) };
      });
    });
  }
}

/** A fresh queue name per test; on a harness cluster, any 3 in a row are on 3 primaries. */
export const qname = (): string => spreadQueueName('q-');

export interface Res {
  status: number;
  headers: Headers;
  text: string;
}

export interface ReqOpts {
  /** Form fields, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** A raw body; give `type` for its Content-Type. */
  body?: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}

/** One request; redirects are not followed. */
export async function req(base: string, method: string, path: string, opts: ReqOpts = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Buffer | undefined;
  if (opts.form) {
    body = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.body !== undefined) {
    body = opts.body;
    if (opts.type) headers['content-type'] = opts.type;
  }
  const r = await fetch(base + path, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** Asserts a broker error: status, JSON `{"error": <string>, "code"}`, code from the catalogue. */
export function assertError(r: Res, status: number, code?: string): void {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(r.text) as { error?: unknown; code?: unknown };
  assert.equal(typeof body.error, 'string', r.text);
  assert.ok(typeof body.code === 'string' && Object.hasOwn(ERRORS, body.code), `code ${String(body.code)} is not in the catalogue`);
  if (code !== undefined) assert.equal(body.code, code);
}

/** Asserts a 200 with this exact body and a content type starting with `type`. */
export function assertOk(r: Res, body: string, type: string | RegExp = 'text/html; charset=UTF-8'): void {
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, body);
  const ct = r.headers.get('content-type') ?? '';
  if (typeof type === 'string') assert.equal(ct, type);
  else assert.match(ct, type);
}

/** POST /q/<q> value=<v>; returns the key. */
export async function post(base: string, queue: string, value: string, extra: Record<string, string> = {}): Promise<string> {
  const r = await req(base, 'POST', `/q/${queue}`, { form: { value, ...extra } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.endsWith('\r\n'));
  return r.text.slice(0, -2);
}

/** GET /q/<q>: the envelope, or null on 204. */
export async function take(base: string, queue: string): Promise<{ key: string; value: string; count: number } | null> {
  const r = await req(base, 'GET', `/q/${queue}`);
  if (r.status === 204) return null;
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.endsWith('\r\n'));
  return JSON.parse(r.text) as { key: string; value: string; count: number };
}

/** Pending length, from /stats/<q>. */
export async function len(base: string, queue: string): Promise<number> {
  const r = await req(base, 'GET', `/stats/${queue}`);
  assert.equal(r.status, 200, r.text);
  return (JSON.parse(r.text) as { len: number }).len;
}

/** JSON protocol: POST /queue with a raw JSON body; the parsed reply. */
export async function command(base: string, cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await req(base, 'POST', '/queue', { body: JSON.stringify(cmd), type: 'application/json' });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  return JSON.parse(r.text) as Record<string, unknown>;
}
