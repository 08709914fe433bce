/**
 * The ACL matrix: for each category, an ACL file holding only that section in each of three
 * modes (deny by address, password required, allow by address), and every route probed over
 * real HTTP, SSE and WebSocket handshakes. Routes of the category (or of one that falls back
 * to it: admin → rest:producer, sse:consumer → comet:consumer) get the section's outcome; every
 * other route is untouched. The file is rewritten and reloaded (SIGHUP) between cells.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { qname } from './backends.js';
import { CATEGORIES, type Category } from '../../src/auth/acl-file.js';

type Expect = Category | 'open';
interface Probe {
  name: string;
  method: string;
  path: (q: string) => string;
  category: Expect;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: string;
  ws?: boolean;
}

const P: Expect = 'rest:producer';
const C: Expect = 'rest:consumer';
const A: Expect = 'admin';
const PROBES: Probe[] = [
  { name: 'POST /', method: 'POST', path: () => '/', form: { queue: 'acl-x', value: 'v' }, category: P },
  { name: 'POST /q/<q>', method: 'POST', path: (q) => `/q/${q}`, form: { value: 'v' }, category: P },
  { name: 'POST /queue', method: 'POST', path: () => '/queue', json: '{"cmd": "len", "queue": "acl-x"}', category: P },
  { name: 'POST /presque/q/<q>', method: 'POST', path: (q) => `/presque/q/${q}`, json: '{"a": 1}', category: P },
  { name: 'PUT /presque/q/<q>', method: 'PUT', path: (q) => `/presque/q/${q}`, json: '{"a": 1}', category: P },
  { name: 'POST /presque/qb/<q>', method: 'POST', path: (q) => `/presque/qb/${q}`, json: '{"jobs": [{"a": 1}]}', category: P },
  { name: 'GET /?queue=', method: 'GET', path: (q) => `/?queue=${q}`, category: C },
  { name: 'GET /q/<q>', method: 'GET', path: (q) => `/q/${q}`, category: C },
  { name: 'HEAD /health is open, GET /q/ lists', method: 'GET', path: () => '/q/', category: C },
  { name: 'GET /p/<q>', method: 'GET', path: (q) => `/p/${q}`, category: C },
  { name: 'GET /stats/', method: 'GET', path: () => '/stats/', category: C },
  { name: 'GET /stats/<q>', method: 'GET', path: (q) => `/stats/${q}`, category: C },
  { name: 'GET /control/', method: 'GET', path: () => '/control/', category: C },
  { name: 'GET /control/<q>', method: 'GET', path: (q) => `/control/${q}`, category: C },
  { name: 'GET /j/<q> (open in the original)', method: 'GET', path: (q) => `/j/${q}`, category: C },
  { name: 'DELETE /q/<q>/<receipt> (ack)', method: 'DELETE', path: (q) => `/q/${q}/1.abcdef0123`, category: C },
  { name: 'POST /q/<q>/<receipt>/nack', method: 'POST', path: (q) => `/q/${q}/1.abcdef0123/nack`, category: C },
  { name: 'POST /q/<q>/<receipt>/extend', method: 'POST', path: (q) => `/q/${q}/1.abcdef0123/extend?lease=5`, category: C },
  { name: 'GET /presque/q/<q>', method: 'GET', path: (q) => `/presque/q/${q}`, category: C },
  { name: 'GET /presque/j/<q>', method: 'GET', path: (q) => `/presque/j/${q}`, category: C },
  { name: 'GET /presque/status/', method: 'GET', path: () => '/presque/status/', category: C },
  { name: 'GET /metrics', method: 'GET', path: () => '/metrics', category: C },
  { name: 'GET /dashboard/', method: 'GET', path: () => '/dashboard/', category: C },
  { name: 'DELETE /q/<q>', method: 'DELETE', path: (q) => `/q/${q}`, category: A },
  { name: 'POST /control/<q>', method: 'POST', path: (q) => `/control/${q}`, form: { status: 'start' }, category: A },
  { name: 'POST /p/<q>', method: 'POST', path: (q) => `/p/${q}`, form: { policy: 'broadcast' }, category: A },
  { name: 'POST /q/<q>/redrive', method: 'POST', path: (q) => `/q/${q}.dead/redrive`, category: A },
  { name: 'POST /q/<q>/<receipt>/move', method: 'POST', path: (q) => `/q/${q}/1.abcdef0123/move`, form: { to: 'acl-moved' }, category: A },
  { name: 'DELETE /presque/q/<q>', method: 'DELETE', path: (q) => `/presque/q/${q}`, category: A },
  { name: 'POST /presque/control/<q>', method: 'POST', path: (q) => `/presque/control/${q}`, json: '{"status": "start"}', category: A },
  { name: 'GET /authkeys', method: 'GET', path: () => '/authkeys', category: A },
  { name: 'PUT /q/<q> (405 route)', method: 'PUT', path: (q) => `/q/${q}`, category: A },
  { name: 'GET /c/<q> (COMET)', method: 'GET', path: (q) => `/c/${q}`, category: 'comet:consumer' },
  { name: 'GET /sse/<q>', method: 'GET', path: (q) => `/sse/${q}`, category: 'sse:consumer', headers: { accept: 'text/event-stream' } },
  { name: 'GET /c/<q> with Accept: text/event-stream', method: 'GET', path: (q) => `/c/${q}`, category: 'sse:consumer', headers: { accept: 'text/event-stream' } },
  { name: 'WebSocket /ws/<q>', method: 'GET', path: (q) => `/ws/${q}`, category: 'websocket:consumer', ws: true },
  { name: 'GET /health', method: 'GET', path: () => '/health', category: 'open' },
  { name: 'GET /ready', method: 'GET', path: () => '/ready', category: 'open' },
  { name: 'GET /static/help.html', method: 'GET', path: () => '/static/help.html', category: 'open' },
  { name: 'GET /queue', method: 'GET', path: () => '/queue', category: 'open' },
];

interface Outcome {
  status: number;
  code?: string;
  challenge: string | null;
}

/** One request; a stream that is let through is cut as soon as its headers arrive. */
async function probe(base: string, p: Probe, q: string, extra: Record<string, string> = {}): Promise<Outcome> {
  const headers: Record<string, string> = { ...p.headers, ...extra };
  if (p.ws) return wsProbe(base, p.path(q), headers);
  let body: string | undefined;
  if (p.form) {
    body = new URLSearchParams(p.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (p.json !== undefined) {
    body = p.json;
    headers['content-type'] = 'application/json';
  }
  const ac = new AbortController();
  const r = await fetch(base + p.path(q), { method: p.method, headers, redirect: 'manual', signal: ac.signal, ...(body === undefined ? {} : { body }) });
  const out: Outcome = { status: r.status, challenge: r.headers.get('www-authenticate') };
  if (r.status === 401 || r.status === 403) out.code = (JSON.parse(await r.text()) as { code: string }).code;
  else ac.abort();
  return out;
}

function wsProbe(base: string, path: string, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + path, { headers });
    socket.once('open', () => {
      socket.terminate();
      resolve({ status: 101, challenge: null });
    });
    socket.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const code = text ? (JSON.parse(text) as { code: string }).code : undefined;
        resolve({ status: res.statusCode ?? 0, ...(code ? { code } : {}), challenge: (res.headers['www-authenticate'] as string | undefined) ?? null });
        socket.terminate();
      });
    });
    socket.once('error', (err) => {
      if (!(err.message ?? '').includes('Unexpected server response')) reject(err);
    });
  });
}

/** Whether a file holding only `section` guards a route of `category`. */
function guards(section: Category, category: Expect): boolean {
  return category === section || (section === 'rest:producer' && category === 'admin') || (section === 'comet:consumer' && category === 'sse:consumer');
}

const STREAMING = new Set<Expect>(['comet:consumer', 'sse:consumer', 'websocket:consumer']);
const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
const passed = (o: Outcome, what: string) => assert.ok(o.status !== 401 && o.status !== 403, `${what}: expected to pass, got ${o.status} ${o.code ?? ''}`);

describe('ACL matrix: category × deny / password / allow on every route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-acl-'));
  const file = join(dir, 'acl.conf');
  let broker: TestBroker | undefined;
  const b = () => {
    assert.ok(broker, 'broker started');
    return broker;
  };
  /** Rewrites the file and reloads it at once (as `kill -HUP` does). */
  const rules = (text: string) => {
    writeFileSync(file, text);
    process.emit('SIGHUP', 'SIGHUP');
  };
  before(async () => {
    writeFileSync(file, '');
    broker = await startTestBroker('memory', { flags: { acl: file } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an empty file leaves every route open', async () => {
    rules('# nothing\n');
    for (const p of PROBES) passed(await probe(b().url, p, qname()), p.name);
  });

  for (const section of CATEGORIES) {
    it(`[${section}] hosts_allow not matching: 401 ACCESS_DENIED without a challenge on its routes only`, async () => {
      rules(`[${section}]\nhosts_allow = 10.0.0.0/8 192.168.\n`);
      for (const p of PROBES) {
        const o = await probe(b().url, p, qname(), basic('u', 'p'));
        if (!guards(section, p.category)) {
          passed(o, p.name);
          continue;
        }
        assert.equal(o.status, 401, `${p.name}: denied by address`);
        assert.equal(o.code, 'ACCESS_DENIED', p.name);
        assert.equal(o.challenge, null, `${p.name}: no WWW-Authenticate on an address denial`);
      }
    });

    it(`[${section}] username and password: 401 AUTH_REQUIRED with the challenge, Basic (and the cookie on streams) passes`, async () => {
      rules(`[${section}]\nhosts_allow = 127.0.0.0/8 ::1/128\nusername = alice\npassword = s3cr:et\n`);
      for (const p of PROBES) {
        const q = qname();
        const none = await probe(b().url, p, q);
        if (!guards(section, p.category)) {
          passed(none, p.name);
          continue;
        }
        assert.equal(none.status, 401, `${p.name}: no credentials`);
        assert.equal(none.code, 'AUTH_REQUIRED', p.name);
        assert.equal(none.challenge, 'Basic realm="RestMQ"', p.name);
        const wrong = await probe(b().url, p, q, basic('alice', 'nope'));
        assert.equal(wrong.code, 'AUTH_REQUIRED', `${p.name}: wrong password`);
        passed(await probe(b().url, p, q, basic('alice', 's3cr:et')), `${p.name} with Basic`);
        const cookie = await probe(b().url, p, q, { cookie: 'auth=alice:s3cr:et' });
        if (STREAMING.has(p.category)) passed(cookie, `${p.name} with the auth cookie`);
        else assert.equal(cookie.code, 'AUTH_REQUIRED', `${p.name}: the cookie is for streaming routes only`);
      }
    });

    it(`[${section}] hosts_allow matching (prefix and CIDR): every route passes`, async () => {
      rules(`[${section}]\nhosts_allow = 127.0.0. ::1/128\nhosts_deny = 10.\n`);
      for (const p of PROBES) passed(await probe(b().url, p, qname()), p.name);
    });
  }

  it('hosts_deny matching denies; an [admin] section of its own replaces the rest:producer fallback', async () => {
    rules('[rest:producer]\nhosts_deny = 127.0.0.0/8 ::1\n[admin]\nhosts_allow = 127.\n');
    const post = PROBES.find((p) => p.name === 'POST /q/<q>')!;
    const purge = PROBES.find((p) => p.name === 'DELETE /q/<q>')!;
    assert.equal((await probe(b().url, post, qname())).code, 'ACCESS_DENIED');
    passed(await probe(b().url, purge, qname()), 'admin has its own section');
  });
});
