/**
 * Streaming consumers on every backend, with real clients: COMET over raw HTTP, SSE parsed as
 * EventSource does, WebSocket (ws). Transports, policies, flow control, DELETE, heartbeats,
 * WebSocket commands. Waits are on received events, never on sleeps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, WITH_CLUSTER, post, qname, req, len } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { CometClient, SseClient, WsClient, type StreamClient } from '../harness/stream-clients.js';

const keysOf = (c: StreamClient) => c.messages.map((m) => m.key);

/** A WebSocket is open a moment before its consumer is registered: wait for the count. */
async function registered(base: string, queue: string, n: number): Promise<void> {
  await waitUntil(`${n} registered consumers`, async () => (JSON.parse((await req(base, 'GET', `/stats/${queue}`)).text) as { consumers: number }).consumers === n);
}

async function postMany(base: string, queue: string, n: number, prefix = 'm'): Promise<string[]> {
  const values = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const r = await req(base, 'POST', `/q/${queue}?batch=1`, { body: JSON.stringify(values), type: 'application/json' });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as string[];
}

forEachBackend(
  (ctx) => {
    describe('transports', () => {
      it('COMET: headers at once, then one envelope per CRLF line', async () => {
        const q = qname();
        const c = await CometClient.open(ctx().url, q);
        try {
          assert.equal(c.status, 200);
          assert.match(String(c.headers['content-type']), /^text\/plain/);
          const key = await post(ctx().url, q, 'hello');
          const [m] = await c.waitForCount(1);
          assert.deepEqual(m, { key, value: 'hello' });
          assert.equal(c.raw[0], `{"key": "${key}", "value": "hello"}`);
        } finally {
          c.close();
        }
      });

      it('COMET with callback= frames each line as JSONP', async () => {
        const q = qname();
        const c = await CometClient.open(ctx().url, q, '?callback=got');
        try {
          const key = await post(ctx().url, q, 'x');
          await c.waitForCount(1);
          assert.equal(c.raw[0], `got({"key": "${key}", "value": "x"});`);
        } finally {
          c.close();
        }
      });

      it('COMET refuses a bad callback or queue name before streaming', async () => {
        assert.equal((await req(ctx().url, 'GET', `/c/${qname()}?callback=alert(1)`)).status, 400);
        assert.equal((await req(ctx().url, 'GET', '/c/QUEUESET')).status, 400);
        assert.equal((await req(ctx().url, 'GET', '/sse/bad:name')).status, 400);
      });

      it('SSE on /sse/<q> and on /c/<q> with Accept: text/event-stream; id is the key', async () => {
        const q = qname();
        const a = await SseClient.open(ctx().url, `/sse/${q}`);
        const b = await SseClient.open(ctx().url, `/c/${q}`);
        try {
          for (const c of [a, b]) assert.match(String(c.headers['content-type']), /^text\/event-stream/);
          const key = await post(ctx().url, q, 'line1\nline2');
          for (const c of [a, b]) {
            await c.waitForCount(1);
            assert.deepEqual(c.messages[0], { key, value: 'line1\nline2' });
            assert.equal(c.lastEventId, key);
          }
        } finally {
          a.close();
          b.close();
        }
      });

      it('WebSocket: one text frame per envelope', async () => {
        const q = qname();
        const w = await WsClient.open(ctx().url, q);
        try {
          const key = await post(ctx().url, q, 'ws-hello');
          await w.waitForCount(1);
          assert.deepEqual(w.messages[0], { key, value: 'ws-hello' });
        } finally {
          w.close();
        }
      });

      it('a plain GET on /ws/<q> is 426 with a JSON error', async () => {
        const r = await req(ctx().url, 'GET', `/ws/${qname()}`);
        assert.equal(r.status, 426);
        assert.equal((JSON.parse(r.text) as { code: string }).code, 'UPGRADE_REQUIRED');
      });
    });

    describe('delivery and policies', () => {
      it('messages wait in the queue until a consumer connects, then arrive in FIFO order', async () => {
        const q = qname();
        const keys = await postMany(ctx().url, q, 5);
        assert.equal(await len(ctx().url, q), 5);
        const c = await CometClient.open(ctx().url, q);
        try {
          await c.waitForCount(5);
          assert.deepEqual(keysOf(c), keys);
          await waitUntil('the queue to drain', async () => (await len(ctx().url, q)) === 0);
        } finally {
          c.close();
        }
      });

      it('broadcast: every consumer, whatever its transport, gets every message once', async () => {
        const q = qname();
        const clients: StreamClient[] = [await CometClient.open(ctx().url, q), await SseClient.open(ctx().url, `/sse/${q}`), await WsClient.open(ctx().url, q)];
        await registered(ctx().url, q, 3);
        try {
          const keys = await postMany(ctx().url, q, 50);
          for (const c of clients) {
            await c.waitForCount(50);
            assert.deepEqual(keysOf(c), keys);
          }
        } finally {
          for (const c of clients) c.close();
        }
      });

      it('roundrobin: each message to exactly one consumer, rotating per message', async () => {
        const q = qname();
        assert.equal((await req(ctx().url, 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } })).text, 'OK\r\n');
        const clients: StreamClient[] = [await CometClient.open(ctx().url, q), await SseClient.open(ctx().url, `/sse/${q}`), await WsClient.open(ctx().url, q)];
        await registered(ctx().url, q, 3);
        try {
          const keys = await postMany(ctx().url, q, 30);
          await waitUntil('30 deliveries', async () => clients.reduce((n, c) => n + c.messages.length, 0) >= 30);
          const got = clients.flatMap(keysOf);
          assert.equal(got.length, 30, 'no duplicates');
          assert.deepEqual([...got].sort(), [...keys].sort());
          for (const c of clients) assert.equal(c.messages.length, 10, 'strict rotation: 10 each');
          for (const c of clients) assert.deepEqual(keysOf(c), keys.filter((k) => keysOf(c).includes(k)), 'each consumer sees FIFO order');
        } finally {
          for (const c of clients) c.close();
        }
      });

      it('a consumer that leaves stops receiving; the others get everything', async () => {
        const q = qname();
        const a = await CometClient.open(ctx().url, q);
        const b = await CometClient.open(ctx().url, q);
        try {
          await post(ctx().url, q, 'first');
          await a.waitForCount(1);
          await b.waitForCount(1);
          a.close();
          await a.waitForEnd();
          await waitUntil('the consumer to be gone', async () => {
            const s = JSON.parse((await req(ctx().url, 'GET', `/stats/${q}`)).text) as { consumers: number };
            return s.consumers === 1;
          });
          await post(ctx().url, q, 'second');
          await b.waitForCount(2);
          assert.deepEqual(b.messages.map((m) => m.value), ['first', 'second']);
        } finally {
          b.close();
        }
      });

      it('the JSON protocol add wakes streaming consumers too', async () => {
        const q = qname();
        const c = await SseClient.open(ctx().url, `/sse/${q}`);
        try {
          await req(ctx().url, 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue: q, value: 'via-json' }), type: 'application/json' });
          await c.waitForCount(1);
          assert.equal(c.messages[0]!.value, 'via-json');
        } finally {
          c.close();
        }
      });
    });

    describe('flow control and DELETE', () => {
      it('stop pauses streaming (messages stay queued); start resumes at once', async () => {
        const q = qname();
        const c = await CometClient.open(ctx().url, q);
        try {
          await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'stop' } });
          await post(ctx().url, q, 'held');
          // Two heartbeats (1 s apart) span at least one safety poll: nothing may arrive.
          await c.waitForRaw(() => c.raw.filter((l) => l === '').length >= 2, 5000);
          assert.equal(c.messages.length, 0);
          assert.equal(await len(ctx().url, q), 1);
          const r = await req(ctx().url, 'GET', `/q/${q}`);
          assert.equal(r.status, 204);
          assert.equal(r.headers.get('x-restmq-status'), 'stopped');
          await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'start' } });
          await c.waitForCount(1);
          assert.equal(c.messages[0]!.value, 'held');
        } finally {
          c.close();
        }
      });

      it('DELETE /q/<q> ends every stream with a last null frame, then purges', async () => {
        const q = qname();
        const comet = await CometClient.open(ctx().url, q);
        const sse = await SseClient.open(ctx().url, `/sse/${q}`);
        const ws = await WsClient.open(ctx().url, q);
        await registered(ctx().url, q, 3);
        try {
          const r = await req(ctx().url, 'DELETE', `/q/${q}`);
          assert.equal(r.status, 200);
          for (const c of [comet, sse, ws]) {
            await c.waitForEnd();
            assert.equal(c.gotEnd, true, 'a last null frame');
          }
          assert.equal(comet.raw.at(-1), 'null');
        } finally {
          for (const c of [comet, sse, ws]) c.close();
        }
      });
    });

    describe('heartbeats', () => {
      it('idle streams get a heartbeat: CRLF on COMET (--comet-heartbeat), a comment on SSE, a ping on WebSocket', async () => {
        const q = qname();
        const comet = await CometClient.open(ctx().url, q);
        const sse = await SseClient.open(ctx().url, `/sse/${q}`);
        const ws = await WsClient.open(ctx().url, q);
        try {
          await comet.waitForRaw((l) => l === '');
          await sse.waitForRaw((l) => l.includes(': ping'));
          await ws.waitForRaw((l) => l === '<ping>');
          assert.equal(comet.messages.length + sse.messages.length + ws.messages.length, 0);
        } finally {
          for (const c of [comet, sse, ws]) c.close();
        }
      });
    });

    describe('WebSocket commands', () => {
      it('JSON-protocol frames are executed and answered; other text is echoed', async () => {
        const q = qname();
        const other = qname();
        const w = await WsClient.open(ctx().url, q);
        try {
          const added = JSON.parse(await w.request(JSON.stringify({ cmd: 'add', queue: other, value: 'v1' }))) as { key: string };
          assert.equal(added.key, `${other}:1`);
          const got = JSON.parse(await w.request(JSON.stringify({ cmd: 'get', queue: other }))) as { count: number };
          assert.equal(got.count, 1);
          const taken = JSON.parse(await w.request(JSON.stringify({ cmd: 'take', queue: other }))) as { value: string };
          assert.equal(taken.value, 'v1');
          assert.deepEqual(JSON.parse(await w.request(JSON.stringify({ cmd: 'take', queue: other }))), { error: 'empty queue' });
          assert.deepEqual(JSON.parse(await w.request(JSON.stringify({ cmd: 'nope', queue: other }))), { error: 'null resultset' });
          const bad = JSON.parse(await w.request(JSON.stringify({ cmd: 'add', queue: 'bad:name', value: 'x' }))) as { code: string };
          assert.equal(bad.code, 'INVALID_QUEUE_NAME');
          assert.equal(await w.request('hello there'), 'hello there');
          assert.equal(await w.request('{"not": "a command"}'), '{"not": "a command"}');
          assert.equal(w.messages.length, 0, 'the socket consumer of another queue got nothing');
        } finally {
          w.close();
        }
      });
    });

    describe('stats', () => {
      it('/stats/<q> counts the live streaming consumers', async () => {
        const q = qname();
        const a = await CometClient.open(ctx().url, q);
        const b = await WsClient.open(ctx().url, q);
        try {
          // A WebSocket is open before its consumer is registered: wait for the count.
          const consumers = async () => (JSON.parse((await req(ctx().url, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers;
          await waitUntil('2 consumers', async () => (await consumers()) === 2);
          assert.equal(await consumers(), 2);
        } finally {
          a.close();
          b.close();
        }
      });
    });
  },
  { flags: { heartbeat: '1', 'comet-heartbeat': '1' }, backends: WITH_CLUSTER },
);
