/**
 * CORS (--cors-origin): off by default; with a list, the listed origins may call the broker with
 * credentials and read its replies (X-RestMQ-Status included); with `*`, every origin, without
 * browser credentials; preflights are answered before the ACL. Checked with plain HTTP and with
 * a real Chromium whose page lives on another origin (another port of 127.0.0.1).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runCli, startTestBroker, type TestBroker } from '../harness/broker.js';
import { launchChromium, shot, skipReason } from '../dashboard/browser.js';
import { qname } from './backends.js';
import { parseCorsOrigins } from '../../src/config/cors-origins.js';
import { ConfigError } from '../../src/config/store-url.js';

/** A page server on its own port: a different origin from the broker's. */
async function pageServer(): Promise<{ origin: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>other origin</title><p>a page on another origin');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const preflight = (url: string, origin: string, path: string) =>
  fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
  });

describe('--cors-origin parsing', () => {
  it('accepts * alone or exact origins, and refuses the rest with the reason', () => {
    assert.equal(parseCorsOrigins('*'), '*');
    assert.deepEqual(parseCorsOrigins('https://a.example.com, http://127.0.0.1:3000'), ['https://a.example.com', 'http://127.0.0.1:3000']);
    assert.throws(() => parseCorsOrigins('*,https://a.example.com'), (e: unknown) => e instanceof ConfigError && /give it alone/.test(e.message));
    assert.throws(() => parseCorsOrigins('https://a.example.com/'), /did you mean https:\/\/a\.example\.com\?/);
    assert.throws(() => parseCorsOrigins('a.example.com'), /not an origin/);
    assert.throws(() => parseCorsOrigins(' , '), /expected \*/);
  });

  it('restmq serve stops at start on a bad value, with one line', async () => {
    const r = await runCli(['serve', '--store', 'memory', '--port', '0', '--cors-origin', 'https://a.example.com/app']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cors-origin: not an origin: "https:\/\/a\.example\.com\/app"/);
  });
});

describe('CORS over HTTP', () => {
  let off: TestBroker | undefined;
  let listed: TestBroker | undefined;
  let any: TestBroker | undefined;
  let secured: TestBroker | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'restmq-cors-'));
  const page = 'http://127.0.0.1:5173';
  before(async () => {
    const acl = join(dir, 'acl.conf');
    writeFileSync(acl, '[rest:producer]\nusername = u\npassword = p\n');
    [off, listed, any, secured] = await Promise.all([
      startTestBroker('memory'),
      startTestBroker('memory', { flags: { 'cors-origin': `${page},https://ops.example.com` } }),
      startTestBroker('memory', { flags: { 'cors-origin': '*' } }),
      startTestBroker('memory', { flags: { 'cors-origin': page, acl } }),
    ]);
  });
  after(async () => {
    await Promise.all([off?.close(), listed?.close(), any?.close(), secured?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('off by default: no CORS header on a preflight or a reply', async () => {
    assert.ok(off);
    const pre = await preflight(off.url, page, '/q/x');
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const r = await fetch(`${off.url}/q/${qname()}`, { headers: { origin: page } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });

  it('a listed origin: preflight 204 with credentials, replies readable, X-RestMQ-Status exposed', async () => {
    assert.ok(listed);
    const pre = await preflight(listed.url, page, '/q/x');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), page);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /DELETE/);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const r = await fetch(`${listed.url}/q/${qname()}`, { headers: { origin: 'https://ops.example.com' } });
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://ops.example.com');
    assert.match(r.headers.get('access-control-expose-headers') ?? '', /X-RestMQ-Status/);
    assert.match(r.headers.get('vary') ?? '', /origin/i, 'the reply varies by origin, so caches keep them apart');
  });

  it('an origin not listed gets no CORS header (the browser then refuses the reply to its page)', async () => {
    assert.ok(listed);
    const pre = await preflight(listed.url, 'https://evil.example.net', '/q/x');
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const r = await fetch(`${listed.url}/q/${qname()}`, { headers: { origin: 'https://evil.example.net' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    // Nor any other CORS header: none of them is meant for that origin.
    for (const reply of [pre, r]) {
      assert.deepEqual([...reply.headers.keys()].filter((h) => h.startsWith('access-control-')), [], 'CORS headers for an origin not listed');
    }
  });

  it('*: every origin, and no credentials header', async () => {
    assert.ok(any);
    const pre = await preflight(any.url, 'https://anyone.example.org', '/q/x');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  });

  it('under an ACL: the preflight needs no credentials; a refusal still carries the CORS headers', async () => {
    assert.ok(secured);
    const pre = await preflight(secured.url, page, `/q/${qname()}`);
    assert.equal(pre.status, 204);
    const refused = await fetch(`${secured.url}/q/${qname()}`, { method: 'POST', body: 'value=1', headers: { origin: page, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), page, 'the page can read why it was refused');
    const ok = await fetch(`${secured.url}/q/${qname()}`, {
      method: 'POST',
      body: 'value=1',
      headers: { origin: page, 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    });
    assert.equal(ok.status, 200);
  });
});

describe('CORS in a real browser', { skip: skipReason() }, () => {
  let browser: Browser | undefined;
  let pages: Awaited<ReturnType<typeof pageServer>> | undefined;
  let off: TestBroker | undefined;
  let on: TestBroker | undefined;
  before(async () => {
    pages = await pageServer();
    browser = await launchChromium();
    [off, on] = await Promise.all([startTestBroker('memory'), startTestBroker('memory', { flags: { 'cors-origin': pages.origin } })]);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([off?.close(), on?.close(), pages?.close()]);
  });

  /** Runs fetch calls in a page of the other origin: a JSON POST (preflighted) then a GET. */
  async function fromPage(broker: string, queue: string): Promise<{ posted?: unknown; status?: string | null; error?: string }> {
    assert.ok(browser && pages);
    const tab = await browser.newPage();
    try {
      await tab.goto(pages.origin);
      const result = await tab.evaluate(
        async ({ broker, queue }) => {
          try {
            const post = await fetch(`${broker}/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cmd: 'add', queue, value: 'from a page' }) });
            const posted = await post.text();
            await fetch(`${broker}/control/${queue}`, { method: 'POST', body: new URLSearchParams({ status: 'stop' }) });
            const got = await fetch(`${broker}/q/${queue}`);
            return { posted, status: got.headers.get('X-RestMQ-Status') };
          } catch (err) {
            return { error: String(err) };
          }
        },
        { broker, queue },
      );
      await tab.screenshot({ path: shot(`cors-${broker === on?.url ? 'on' : 'off'}`) });
      return result;
    } finally {
      await tab.close();
    }
  }

  it('without --cors-origin the page cannot call the broker', async () => {
    assert.ok(off);
    const r = await fromPage(off.url, qname());
    assert.match(r.error ?? '', /Failed to fetch/);
  });

  it('with the page origin listed, the page sends, stops the queue and reads X-RestMQ-Status', async () => {
    assert.ok(on);
    const q = qname();
    const r = await fromPage(on.url, q);
    assert.equal(r.error, undefined);
    assert.equal((JSON.parse(String(r.posted)) as { key: string }).key, `${q}:1`);
    assert.equal(r.status, 'stopped');
  });
});
