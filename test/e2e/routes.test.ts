/**
 * The message routes of SPEC section 3 over real HTTP, on every backend: `POST /`,
 * `GET /?queue=`, `GET /q/`, and `GET/POST/DELETE /q/<q>` (form and raw bodies, batches,
 * count, ttl, 204, purge). The JSON protocol, the admin routes and the bad-input list have
 * their own files (routes-json, routes-admin, routes-bad-input).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertOk, forEachBackend, len, post, qname, req, take, WITH_CLUSTER } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const LEGACY = 'text/html; charset=UTF-8';

forEachBackend((ctx) => {
  const url = () => ctx().url;

  // ---- POST / ----
  it('POST / value: 200, the key as plain text + CRLF, text/html', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', '/', { form: { queue: q, value: 'foobar' } }), `${q}:1\r\n`, LEGACY);
    assertOk(await req(url(), 'POST', '/', { form: { queue: q, value: 'second' } }), `${q}:2\r\n`, LEGACY);
    assert.deepEqual(await take(url(), q), { count: 0, key: `${q}:1`, value: 'foobar' });
  });
  it('POST / msg (fixed R1: the original ignored msg)', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', '/', { form: { queue: q, msg: 'via msg' } }), `${q}:1\r\n`, LEGACY);
    assert.equal((await take(url(), q))?.value, 'via msg');
  });
  it('POST / fields may come from the query string', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/?queue=${q}&value=fromquery`), `${q}:1\r\n`, LEGACY);
    assert.equal((await take(url(), q))?.value, 'fromquery');
  });
  it('POST / without queue: 400 JSON', async () => {
    assertError(await req(url(), 'POST', '/', { form: { value: 'x' } }), 400, 'MISSING_ARGUMENT');
  });
  it('POST / without value or msg: 400 JSON, nothing enqueued', async () => {
    const q = qname();
    assertError(await req(url(), 'POST', '/', { form: { queue: q } }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', '/', { form: { queue: q, value: '' } }), 400, 'MISSING_ARGUMENT');
    assert.equal(await len(url(), q), 0);
  });
  it('POST / with ttl: accepted and readable before it expires', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', '/', { form: { queue: q, value: 'short-lived', ttl: '60' } }), `${q}:1\r\n`, LEGACY);
    assert.equal((await take(url(), q))?.value, 'short-lived');
  });
  it('an expired message is skipped, never delivered as null', async () => {
    const q = qname();
    await post(url(), q, 'expires', { ttl: '1' });
    await post(url(), q, 'stays');
    // The job page's peek hides expired messages: wait until the first one is gone from it.
    await waitUntil('the ttl=1 message to expire', async () => {
      const r = await req(url(), 'GET', `/j/${q}`, { headers: { accept: 'application/json' } });
      return (JSON.parse(r.text) as { peek: unknown[] }).peek.length === 1;
    });
    assert.deepEqual(await take(url(), q), { count: 0, key: `${q}:2`, value: 'stays' });
    assert.equal(await take(url(), q), null);
  });

  // ---- GET /?queue= ----
  it('GET /?queue=: the oldest envelope + CRLF, then 404 JSON when empty', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    assertOk(await req(url(), 'GET', `/?queue=${q}`), `{"count": 0, "key": "${q}:1", "value": "a"}\r\n`, LEGACY);
    assertOk(await req(url(), 'GET', `/?queue=${q}`), `{"count": 0, "key": "${q}:2", "value": "b"}\r\n`, LEGACY);
    assertError(await req(url(), 'GET', `/?queue=${q}`), 404, 'QUEUE_EMPTY');
  });
  it('GET / without queue (or queue= blank): 302 to the dashboard, empty body', async () => {
    for (const path of ['/', '/?queue=']) {
      const r = await req(url(), 'GET', path);
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), '/dashboard/');
      assert.equal(r.text, '');
    }
  });
  it('GET /?queue=&callback=: JSONP', async () => {
    const q = qname();
    await post(url(), q, 'a');
    assertOk(await req(url(), 'GET', `/?queue=${q}&callback=cb`), `cb({"count": 0, "key": "${q}:1", "value": "a"});\r\n`, 'application/javascript; charset=utf-8');
  });

  // ---- GET /q/ ----
  it('GET /q/: HTML list linking every queue', async () => {
    const q = qname();
    await post(url(), q, 'x');
    const r = await req(url(), 'GET', '/q/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(r.text, /<title>avaliable queue for REST<\/title>/);
    assert.ok(r.text.includes(`<li><a href="/q/${q}">/q/${q}</a></li>`), r.text);
  });
  it('GET /q/ lists a queue created by a batch', async () => {
    const q = qname();
    const r = await req(url(), 'POST', `/q/${q}?batch=1`, { body: '["a", "b"]', type: 'application/json' });
    assert.equal(r.status, 200, r.text);
    assert.ok((await req(url(), 'GET', '/q/')).text.includes(`href="/q/${q}"`), 'queue missing from /q/');
    assert.ok(q in (JSON.parse((await req(url(), 'GET', '/stats/')).text) as { queues: object }).queues, 'queue missing from /stats/');
  });

  // ---- POST /q/<q> ----
  it('POST /q/<q> value and msg: form values are stripped; msg wins over value', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/q/${q}`, { form: { value: '  hi\n' } }), `${q}:1\r\n`, LEGACY);
    assertOk(await req(url(), 'POST', `/q/${q}`, { form: { value: 'v', msg: ' \tm ' } }), `${q}:2\r\n`, LEGACY);
    assert.equal((await take(url(), q))?.value, 'hi');
    assert.equal((await take(url(), q))?.value, 'm');
  });
  it('POST /q/<q> form: control characters become spaces, inner newlines stay', async () => {
    const q = qname();
    await post(url(), q, 'a\u0001b\nc');
    assert.equal((await take(url(), q))?.value, 'a b\nc');
  });
  it('POST /q/<q>?callback=: JSONP quotes the key', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/q/${q}?callback=done`, { form: { value: 'x' } }), `done("${q}:1");\r\n`, 'application/javascript; charset=utf-8');
  });
  for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/json', 'application/octet-stream']) {
    it(`POST /q/<q> raw ${type} body: stored byte for byte`, async () => {
      const q = qname();
      const value = type.startsWith('application/json') ? ' {"a": [1, "é"]}\r\n' : '  spaced \u0001 é€😀 <b>&\r\n\t ';
      assertOk(await req(url(), 'POST', `/q/${q}`, { body: Buffer.from(value, 'utf8'), type }), `${q}:1\r\n`, LEGACY);
      assert.equal((await take(url(), q))?.value, value);
    });
  }
  it('POST /q/<q> raw body with NUL bytes round-trips', async () => {
    const q = qname();
    await req(url(), 'POST', `/q/${q}`, { body: Buffer.from('a\u0000b', 'utf8'), type: 'application/octet-stream' });
    assert.equal((await take(url(), q))?.value, 'a\u0000b');
  });
  it('POST /q/<q> raw body keeps a leading byte order mark', async () => {
    const q = qname();
    await req(url(), 'POST', `/q/${q}`, { body: Buffer.from('\ufeffbom', 'utf8'), type: 'text/plain' });
    assert.equal((await take(url(), q))?.value, '\ufeffbom');
  });
  it('POST /q/<q> raw body: numbers stay strings (R28 fixed)', async () => {
    const q = qname();
    for (const v of ['123', '007', '1.50', '+5', '.5']) await req(url(), 'POST', `/q/${q}`, { body: v, type: 'text/plain' });
    for (const v of ['123', '007', '1.50', '+5', '.5']) {
      const r = await req(url(), 'GET', `/q/${q}`);
      assert.ok(r.text.includes(`"value": "${v}"`), r.text);
    }
  });
  it('POST /q/<q>?batch=1: a JSON array enqueues in order, reply a JSON array of keys', async () => {
    const q = qname();
    await post(url(), q, 'first');
    const r = await req(url(), 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(['a', ' b ', 'c\r\n']), type: 'application/json' });
    assertOk(r, `["${q}:2", "${q}:3", "${q}:4"]\r\n`, /^application\/json/);
    for (const v of ['first', 'a', ' b ', 'c\r\n']) assert.equal((await take(url(), q))?.value, v);
  });
  it('POST /q/<q>?batch=true with callback', async () => {
    const q = qname();
    const r = await req(url(), 'POST', `/q/${q}?batch=true&callback=cb`, { body: '["x"]', type: 'application/json' });
    assertOk(r, `cb(["${q}:1"]);\r\n`, 'application/javascript; charset=utf-8');
  });
  it('POST /q/<q>?ttl=: accepted', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/q/${q}?ttl=30`, { body: 'raw with ttl', type: 'text/plain' }), `${q}:1\r\n`, LEGACY);
    assert.equal((await take(url(), q))?.value, 'raw with ttl');
  });

  // ---- GET /q/<q> ----
  it('GET /q/<q>: FIFO envelopes + CRLF, no ETag; then 204 with an empty body', async () => {
    const q = qname();
    await post(url(), q, 'one');
    await post(url(), q, 'two');
    for (const [n, v] of [[1, 'one'], [2, 'two']] as const) {
      const r = await req(url(), 'GET', `/q/${q}`);
      assertOk(r, `{"count": 0, "key": "${q}:${n}", "value": "${v}"}\r\n`, LEGACY);
      assert.equal(r.headers.get('etag'), null, 'no ETag on a destructive read');
    }
    const empty = await req(url(), 'GET', `/q/${q}`);
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');
    assert.equal(empty.headers.get('etag'), null);
    assert.equal(empty.headers.get('x-restmq-status'), null);
  });
  it('GET /q/<q> on a queue that never existed: 204', async () => {
    const r = await req(url(), 'GET', `/q/${qname()}`);
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
  });
  it('GET /q/<q>?callback=: JSONP envelope', async () => {
    const q = qname();
    await post(url(), q, '<i>');
    assertOk(await req(url(), 'GET', `/q/${q}?callback=cb`), `cb({"count": 0, "key": "${q}:1", "value": "\\u003ci\\u003e"});\r\n`, 'application/javascript; charset=utf-8');
  });
  it('GET /q/<q>?count=n: a JSON array of up to n envelopes, FIFO', async () => {
    const q = qname();
    for (const v of ['a', 'b', 'c']) await post(url(), q, v);
    assertOk(await req(url(), 'GET', `/q/${q}?count=2`),
      `[{"count": 0, "key": "${q}:1", "value": "a"}, {"count": 0, "key": "${q}:2", "value": "b"}]\r\n`, /^application\/json/);
    assertOk(await req(url(), 'GET', `/q/${q}?count=5`), `[{"count": 0, "key": "${q}:3", "value": "c"}]\r\n`, /^application\/json/);
    const empty = await req(url(), 'GET', `/q/${q}?count=5`);
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');
  });
  it('GET /?queue=&count=n: the same array', async () => {
    const q = qname();
    for (const v of ['a', 'b']) await post(url(), q, v);
    const r = await req(url(), 'GET', `/?queue=${q}&count=10`);
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), [{ count: 0, key: `${q}:1`, value: 'a' }, { count: 0, key: `${q}:2`, value: 'b' }]);
  });

  // ---- DELETE /q/<q> ----
  it('DELETE /q/<q>: {"queue", "status": 1} + CRLF, then 0; pending messages are gone', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    assertOk(await req(url(), 'DELETE', `/q/${q}`), `{"queue": "${q}", "status": 1}\r\n`, LEGACY);
    assertOk(await req(url(), 'DELETE', `/q/${q}`), `{"queue": "${q}", "status": 0}\r\n`, LEGACY);
    assert.equal(await take(url(), q), null);
    assert.equal(await len(url(), q), 0);
  });
  it('DELETE keeps the counter and the registration: the next key continues', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await req(url(), 'DELETE', `/q/${q}`);
    assert.equal(await post(url(), q, 'b'), `${q}:2`);
    assert.ok((await req(url(), 'GET', '/q/')).text.includes(`href="/q/${q}"`));
  });
  it('DELETE of a queue that never existed: status 0; JSONP', async () => {
    const q = qname();
    assertOk(await req(url(), 'DELETE', `/q/${q}?callback=cb`), `cb({"queue": "${q}", "status": 0});\r\n`, 'application/javascript; charset=utf-8');
  });
}, { backends: WITH_CLUSTER });
