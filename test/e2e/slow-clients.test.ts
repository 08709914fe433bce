/**
 * Slow-loris clients are cut off: headers trickled past --headers-timeout, a body trickled past
 * the request timeout (6 x --headers-timeout), a connection that sends nothing. Each gets the
 * catalogue's 408 JSON and a closed connection; clients that are slow but in time, and long polls
 * that outlast the headers timeout, are served. --headers-timeout 1 keeps the test short.
 * And such clients do not hold up a graceful stop (Node stops its timeouts when closing).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, useTestBroker } from '../harness/broker.js';
import { qname, req } from './backends.js';
import { rawConnect, rawExchange, trickle, type RawResult } from '../harness/raw-http.js';
import { ERRORS } from '../../src/errors.js';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 6 * HEADERS_TIMEOUT_MS;
/** Node checks for late clients once a second: a cut comes up to a second after its deadline (plus a busy machine). */
const CHECK_SLACK_MS = 2500;

function assertTimedOut(r: RawResult): void {
  assert.equal(r.status, 408, `expected 408, got: ${r.text}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
  assert.deepEqual(JSON.parse(r.body), { error: ERRORS.REQUEST_TIMEOUT.message, code: 'REQUEST_TIMEOUT' });
}

describe('slow clients', () => {
  const broker = useTestBroker('memory', { flags: { 'headers-timeout': String(HEADERS_TIMEOUT_MS / 1000) } });
  const port = () => broker().port;

  it('headers trickled a line every 200 ms are cut off after the headers timeout with 408', async (t) => {
    const lines = [`GET /q/${qname()} HTTP/1.1\r\n`, 'Host: x\r\n', ...Array.from({ length: 50 }, (_, i) => `X-Slow-${i}: y\r\n`)];
    const r = await rawExchange({ port: port(), timeoutMs: 8000 }, (socket) => trickle(socket, lines, 200));
    t.diagnostic(`trickled headers cut off after ${r.closedAfterMs} ms`);
    assertTimedOut(r);
    assert.ok(r.closedAfterMs >= HEADERS_TIMEOUT_MS - 100, `not before the timeout (${r.closedAfterMs} ms)`);
    assert.ok(r.closedAfterMs < HEADERS_TIMEOUT_MS + CHECK_SLACK_MS, `cut off ${r.closedAfterMs} ms after connecting, still sending`);
  });

  it('a body trickled a byte every 200 ms is cut off after the request timeout with 408, nothing stored', async (t) => {
    const q = qname();
    const head = `POST /q/${q} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n`;
    const r = await rawExchange({ port: port(), timeoutMs: REQUEST_TIMEOUT_MS + 5000 }, (socket) => trickle(socket, [head, ...'b'.repeat(99)], 200));
    t.diagnostic(`trickled body cut off after ${r.closedAfterMs} ms`);
    assertTimedOut(r);
    assert.ok(r.closedAfterMs >= REQUEST_TIMEOUT_MS - 100, `not before the timeout (${r.closedAfterMs} ms)`);
    assert.ok(r.closedAfterMs < REQUEST_TIMEOUT_MS + CHECK_SLACK_MS, `cut off ${r.closedAfterMs} ms after connecting, still sending`);
    assert.equal((await req(`http://127.0.0.1:${port()}`, 'GET', `/q/${q}`)).status, 204, 'the half-sent message was not stored');
  });

  it('a connection that sends nothing is closed after the headers timeout', async (t) => {
    const r = await rawExchange({ port: port(), timeoutMs: 8000 }, () => {});
    t.diagnostic(`idle connection closed after ${r.closedAfterMs} ms, answer: ${r.status || 'none'}`);
    assert.ok(r.closedAfterMs < HEADERS_TIMEOUT_MS + CHECK_SLACK_MS, `closed after ${r.closedAfterMs} ms`);
    if (r.text !== '') assertTimedOut(r);
  });

  it('a client slow but in time is served', async () => {
    const q = qname();
    const lines = [`GET /q/${q} HTTP/1.1\r\n`, 'Host: x\r\n', 'Connection: close\r\n', '\r\n'];
    const r = await rawExchange({ port: port(), timeoutMs: 5000 }, (socket) => trickle(socket, lines, 150));
    assert.equal(r.status, 204, r.text);
  });

  it('a long poll that outlasts the headers timeout is answered, not cut off', async () => {
    const started = Date.now();
    const r = await req(`http://127.0.0.1:${port()}`, 'GET', `/q/${qname()}?wait=2`);
    assert.equal(r.status, 204, r.text);
    assert.ok(Date.now() - started >= 1900, 'it waited its full 2 s');
  });
});

describe('slow clients and shutdown', () => {
  it('connections that sent nothing or half their headers do not hold up a graceful stop', async () => {
    const broker = await startTestBroker('memory');
    const connectTo = () => rawConnect({ port: broker.port });
    const silent = await connectTo();
    const halfway = await connectTo();
    halfway.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const closed = [silent, halfway].map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
    // Both are in the server's hands before it stops: a request on a third connection is answered.
    assert.equal((await req(broker.url, 'GET', '/health')).status, 200);
    const started = Date.now();
    await broker.close();
    const took = Date.now() - started;
    await Promise.all(closed);
    assert.ok(took < 3000, `the stop took ${took} ms (the default headers timeout is 10 s, and Node's stops at close)`);
  });
});
