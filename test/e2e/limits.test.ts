/**
 * Every limit at the edge answers with its own status and a JSON error from the catalogue:
 * body size (413, refused before the body is read), queue names (400), URL length (414), header
 * bytes (431, from the hook and from Node's parser), streams and long polls per address (429).
 * On sqlite and redis, with small limits so the tests stay small.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket } from 'ws';
import { assertError, forEachBackend, post, qname, req, type Res } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { SseClient, WsClient, CometClient, type StreamClient } from '../harness/stream-clients.js';
import { rawExchange, rawRequest } from '../harness/raw-http.js';
import { ERRORS } from '../../src/errors.js';

const LIMITS = {
  'max-message-bytes': '1024',
  'max-url-bytes': '1024',
  'max-header-bytes': '2048',
  'max-streams-per-ip': '2',
  'max-long-polls-per-ip': '2',
};

/** GET with extra headers through node:http (fetch would refuse some of them). */
function getWithHeaders(base: string, path: string, headers: Record<string, string>): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = http.get(`${base}${path}`, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text }));
    });
    r.on('error', reject);
  });
}

function wsRefusal(base: string, queue: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/${queue}`);
    socket.once('open', () => reject(new Error('the WebSocket was accepted')));
    socket.once('error', () => {});
    socket.once('unexpected-response', (request, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        request.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

forEachBackend(
  (ctx) => {
    describe('limits', () => {
      it('a body over --max-message-bytes is 413, refused from Content-Length before it is read', async () => {
        const q = qname();
        assertError(await req(ctx().url, 'POST', `/q/${q}`, { body: 'x'.repeat(2048), type: 'text/plain' }), 413, 'PAYLOAD_TOO_LARGE');
        // 100 MB announced, nothing sent: the answer comes without waiting for the body.
        const port = Number(new URL(ctx().url).port);
        const r = await rawRequest({ port, timeoutMs: 5000 }, `POST /q/${q} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n`);
        assert.equal(r.status, 413, r.text);
        assert.equal((JSON.parse(r.body) as { code: string }).code, 'PAYLOAD_TOO_LARGE');
        assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204, 'nothing was stored');
      });

      it('a bad queue name is 400 INVALID_QUEUE_NAME', async () => {
        assertError(await req(ctx().url, 'POST', `/q/${'n'.repeat(129)}`, { form: { value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
        assertError(await req(ctx().url, 'POST', '/q/bad%20name', { form: { value: 'v' } }), 400, 'INVALID_QUEUE_NAME');
      });

      it('a URL over --max-url-bytes is 414 URI_TOO_LONG, on known and unknown routes', async () => {
        const q = qname();
        assertError(await req(ctx().url, 'GET', `/q/${q}?pad=${'p'.repeat(1100)}`), 414, 'URI_TOO_LONG');
        assertError(await req(ctx().url, 'GET', `/nowhere/${'p'.repeat(1100)}`), 414, 'URI_TOO_LONG');
        assert.equal((await req(ctx().url, 'GET', `/q/${q}?pad=${'p'.repeat(900)}`)).status, 204, 'a URL under the limit passes');
      });

      it('headers over --max-header-bytes are 431 HEADERS_TOO_LARGE, a little or far over', async () => {
        const q = qname();
        assert.equal((await getWithHeaders(ctx().url, `/q/${q}`, { 'x-pad': 'h'.repeat(1500) })).status, 204, 'headers under the limit pass');
        // A little over: the broker's own check, with the request parsed.
        assertError(await getWithHeaders(ctx().url, `/q/${q}`, { 'x-pad': 'h'.repeat(2100) }), 431, 'HEADERS_TOO_LARGE');
        // Far over: Node's parser stops reading; the answer is still the catalogue's JSON.
        const port = Number(new URL(ctx().url).port);
        const r = await rawRequest({ port, timeoutMs: 5000 }, `GET /q/${q} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'h'.repeat(8000)}\r\n\r\n`);
        assert.equal(r.status, 431, r.text);
        assert.match(r.headers['content-type'] ?? '', /^application\/json/);
        assert.deepEqual(JSON.parse(r.body), { error: ERRORS.HEADERS_TOO_LARGE.message, code: 'HEADERS_TOO_LARGE' });
      });

      it('--max-streams-per-ip counts COMET, SSE, WebSocket and dashboard feed streams together: 429 TOO_MANY_STREAMS', async () => {
        const q = qname();
        const open: StreamClient[] = [await SseClient.open(ctx().url, `/sse/${q}`), await CometClient.open(ctx().url, q)];
        try {
          assert.deepEqual(open.map((c) => c.status), [200, 200]);
          assertError(await req(ctx().url, 'GET', `/sse/${q}`), 429, 'TOO_MANY_STREAMS');
          assertError(await req(ctx().url, 'GET', `/c/${q}`), 429, 'TOO_MANY_STREAMS');
          assertError(await req(ctx().url, 'GET', '/dashboard/api/events'), 429, 'TOO_MANY_STREAMS');
          const ws = await wsRefusal(ctx().url, q);
          assert.equal(ws.status, 429);
          assert.equal((JSON.parse(ws.body) as { code: string }).code, 'TOO_MANY_STREAMS');
          // The broker closes a refused upgrade's socket itself (rawRequest waits for the close).
          const port = Number(new URL(ctx().url).port);
          const upgrade = `GET /ws/${q} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
          const refused = await rawRequest({ port, timeoutMs: 5000 }, upgrade);
          assert.equal(refused.status, 429, refused.text);
          // Plain requests from the same address are not streams.
          await post(ctx().url, q, 'still served');
          // Closing one stream frees its slot.
          open.shift()!.close();
          let third: WsClient | undefined;
          await waitUntil('a slot to free up', async () => {
            third = await WsClient.open(ctx().url, q).catch(() => undefined);
            return third !== undefined;
          });
          open.push(third!);
          assertError(await req(ctx().url, 'GET', `/sse/${q}`), 429, 'TOO_MANY_STREAMS');
          // A closed WebSocket gives its slot back too.
          open.pop()!.close();
          await waitUntil('the WebSocket slot to free up', async () => {
            const sse = await SseClient.open(ctx().url, `/sse/${q}`);
            if (sse.status === 200) open.push(sse);
            else sse.close();
            return sse.status === 200;
          });
        } finally {
          for (const c of open) c.close();
        }
      });

      it('stream clients that hit and run leave no slot behind', async () => {
        const q = qname();
        const port = Number(new URL(ctx().url).port);
        await Promise.all(
          Array.from({ length: 20 }, () =>
            rawExchange({ port, timeoutMs: 5000 }, (socket) => {
              socket.write(`GET /sse/${q} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
              socket.destroy();
            }),
          ),
        );
        const open: StreamClient[] = [];
        try {
          await waitUntil('both slots to be free', async () => {
            const sse = await SseClient.open(ctx().url, `/sse/${q}`);
            if (sse.status === 200) open.push(sse);
            else sse.close();
            return open.length === 2;
          });
        } finally {
          for (const c of open) c.close();
        }
      });

      it('--max-long-polls-per-ip: 429 TOO_MANY_LONG_POLLS, plain GETs still served, slots come back', async () => {
        const q = qname();
        const polls = [req(ctx().url, 'GET', `/q/${q}?wait=20`), req(ctx().url, 'GET', `/q/${q}?wait=20`)];
        // One round trip on the same broker: both polls have been counted by now.
        assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
        assertError(await req(ctx().url, 'GET', `/q/${q}?wait=5`), 429, 'TOO_MANY_LONG_POLLS');
        assert.equal((await req(ctx().url, 'GET', `/q/${q}?wait=0`)).status, 204, 'a GET without a wait is not a long poll');
        await post(ctx().url, q, 'a');
        await post(ctx().url, q, 'b');
        const values = (await Promise.all(polls)).map((r) => (JSON.parse(r.text) as { value: string }).value);
        assert.deepEqual(values.sort(), ['a', 'b']);
        await waitUntil('the slots to come back', async () => (await req(ctx().url, 'GET', `/q/${q}?wait=1`)).status === 204);
      });

      it('a long poll whose client goes away gives its slot back', async () => {
        const q = qname();
        const gone = [new AbortController(), new AbortController()];
        const polls = gone.map((c) => fetch(`${ctx().url}/q/${q}?wait=30`, { signal: c.signal }).catch(() => undefined));
        assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
        assertError(await req(ctx().url, 'GET', `/q/${q}?wait=1`), 429, 'TOO_MANY_LONG_POLLS');
        for (const c of gone) c.abort();
        await Promise.all(polls);
        await waitUntil('the slots to come back', async () => (await req(ctx().url, 'GET', `/q/${q}?wait=1`)).status === 204);
      });
    });
  },
  { flags: LIMITS, backends: ['sqlite', 'redis'] },
);
