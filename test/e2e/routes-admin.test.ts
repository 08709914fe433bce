/**
 * Queue settings and read-only views over real HTTP on every backend: `/p/<q>` (policy),
 * `/control/` and `/control/<q>` (flow control, what a stopped queue does to consumers and
 * producers), `/stats/`, `/j/<q>`, JSONP callback validation, `/health` and `/ready`.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertOk, command, forEachBackend, len, post, qname, req, take } from './backends.js';

const LEGACY = 'text/html; charset=UTF-8';
const JS = 'application/javascript; charset=utf-8';
const JSON_RE = /^application\/json/;

forEachBackend((ctx) => {
  const url = () => ctx().url;
  const kind = () => ctx().storeKind;

  // ---- /p/<q> ----
  it('GET /p/<q>: a queue with no policy reports broadcast', async () => {
    const q = qname();
    assertOk(await req(url(), 'GET', `/p/${q}`), `{"queue": "${q}", "value": "broadcast"}\r\n`, LEGACY);
  });
  it('POST /p/<q>: OK\\r\\n, then GET reports it; JSONP forms', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } }), 'OK\r\n', LEGACY);
    assertOk(await req(url(), 'GET', `/p/${q}`), `{"queue": "${q}", "value": "roundrobin"}\r\n`, LEGACY);
    assertOk(await req(url(), 'GET', `/p/${q}?callback=cb`), `cb({"queue": "${q}", "value": "roundrobin"});\r\n`, JS);
    assertOk(await req(url(), 'POST', `/p/${q}?callback=cb`, { form: { policy: 'broadcast' } }), 'cb("OK");\r\n', JS);
    assertOk(await req(url(), 'GET', `/p/${q}`), `{"queue": "${q}", "value": "broadcast"}\r\n`, LEGACY);
  });
  it('POST /p/<q> with an unknown policy: 200 null\\r\\n and nothing changes (policies are case-sensitive)', async () => {
    const q = qname();
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    for (const policy of ['random', 'Broadcast', 'ROUNDROBIN']) assertOk(await req(url(), 'POST', `/p/${q}`, { form: { policy } }), 'null\r\n', LEGACY);
    assertOk(await req(url(), 'POST', `/p/${q}?callback=cb`, { form: { policy: 'x' } }), 'cb(null);\r\n', JS);
    assert.equal(JSON.parse((await req(url(), 'GET', `/p/${q}`)).text).value, 'roundrobin');
  });
  it('POST /p/<q> without policy: 400 JSON', async () => {
    assertError(await req(url(), 'POST', `/p/${qname()}`, { form: {} }), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', `/p/${qname()}`, { form: { policy: '' } }), 400, 'MISSING_ARGUMENT');
  });
  it('setting a policy does not register the queue', async () => {
    const q = qname();
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    assert.ok(!(await req(url(), 'GET', '/q/')).text.includes(`/q/${q}"`));
  });
  it('the policy shows in /stats/<q> as 1 / 2', async () => {
    const q = qname();
    assert.equal(JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text).policy, 1);
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    assert.equal(JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text).policy, 2);
  });

  // ---- /control/ ----
  it('GET /control/<q>: nested status, application/json + CRLF; started by default', async () => {
    const q = qname();
    assertOk(await req(url(), 'GET', `/control/${q}`), `{"redis": "${kind()}", "queue": "${q}", "status": {"queue": "${q}", "status": 1}}\r\n`, JSON_RE);
  });
  it('POST /control/<q> stop / start: {"stat": ...}\\r\\n, and GET follows', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } }), `{"stat": {"queue": "${q}", "status": 0}}\r\n`, LEGACY);
    assert.equal(JSON.parse((await req(url(), 'GET', `/control/${q}`)).text).status.status, 0);
    assertOk(await req(url(), 'POST', `/control/${q}`, { form: { status: 'start' } }), `{"stat": {"queue": "${q}", "status": 1}}\r\n`, LEGACY);
    assert.equal(JSON.parse((await req(url(), 'GET', `/control/${q}`)).text).status.status, 1);
  });
  it('POST /control/<q> invalid or missing status: 200 "invalid status: ..."', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/control/${q}`, { form: { status: 'pause' } }), '{"stat": "invalid status: pause"}\r\n', LEGACY);
    assertOk(await req(url(), 'POST', `/control/${q}`, { form: {} }), '{"stat": "invalid status: None"}\r\n', LEGACY);
  });
  it('POST /control/<q> JSONP: cb(json)\\r\\n without a semicolon', async () => {
    const q = qname();
    assertOk(await req(url(), 'POST', `/control/${q}?callback=cb`, { form: { status: 'start' } }), `cb({"stat": {"queue": "${q}", "status": 1}})\r\n`, JS);
  });
  it('GET /control/: every queue with its status (R16 fixed), count', async () => {
    const a = qname();
    const b = qname();
    await post(url(), a, 'x');
    await post(url(), b, 'x');
    await req(url(), 'POST', `/control/${b}`, { form: { status: 'stop' } });
    const r = await req(url(), 'GET', '/control/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', JSON_RE);
    assert.ok(r.text.endsWith('}\r\n'));
    const body = JSON.parse(r.text) as { redis: string; queues: Record<string, unknown>; count: number };
    assert.equal(body.redis, kind());
    assert.deepEqual(body.queues[a], { queue: a, status: 1 });
    assert.deepEqual(body.queues[b], { queue: b, status: 0 });
    assert.equal(body.count, Object.keys(body.queues).length);
    assert.ok(!('queues' in body.queues), 'no fake queue named "queues"');
  });
  it('a stopped queue looks empty to GET /q/<q> (204, X-RestMQ-Status: stopped) and to GET /?queue= (404)', async () => {
    const q = qname();
    await post(url(), q, 'held');
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } });
    const r = await req(url(), 'GET', `/q/${q}`);
    assert.equal(r.status, 204);
    assert.equal(r.text, '');
    assert.equal(r.headers.get('x-restmq-status'), 'stopped');
    const idx = await req(url(), 'GET', `/?queue=${q}`);
    assertError(idx, 404, 'QUEUE_EMPTY');
    assert.equal(idx.headers.get('x-restmq-status'), 'stopped');
    const many = await req(url(), 'GET', `/q/${q}?count=10`);
    assert.equal(many.status, 204);
    assert.equal(many.headers.get('x-restmq-status'), 'stopped');
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { error: 'queue stopped' });
    assert.equal(await len(url(), q), 1, 'nothing was taken');
  });
  it('a stopped queue still accepts producers; start resumes in order', async () => {
    const q = qname();
    await post(url(), q, 'before');
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } });
    assert.equal(await post(url(), q, 'during'), `${q}:2`);
    assert.deepEqual(await command(url(), { cmd: 'add', queue: q, value: 'json during' }), { queue: q, value: 'json during', key: `${q}:3` });
    assert.equal(await len(url(), q), 3);
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'start' } });
    for (const v of ['before', 'during', 'json during']) assert.equal((await take(url(), q))?.value, v);
  });
  it('the first enqueue does not restart a queue stopped beforehand', async () => {
    const q = qname();
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } });
    await post(url(), q, 'x');
    assert.equal((await req(url(), 'GET', `/q/${q}`)).status, 204);
    assert.equal(JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text).status, 0);
  });

  // ---- /stats/ ----
  it('GET /stats/<q>: JSON, no CRLF, store kind not an address', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    const r = await req(url(), 'GET', `/stats/${q}`);
    assertOk(r, `{"redis": "${kind()}", "queue": "${q}", "len": 2, "status": 1, "policy": 1, "ready": 2, "inflight": 0, "delayed": 0, "dead": 0, "consumers": 0, "polls": 0}`, JSON_RE);
  });
  it('GET /stats/<q>?callback=: cb(json)', async () => {
    const q = qname();
    const r = await req(url(), 'GET', `/stats/${q}?callback=cb`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), JS);
    assert.match(r.text, /^cb\(\{.*\}\)$/);
    assert.equal(JSON.parse(r.text.slice(3, -1)).queue, q);
  });
  it('GET /stats/: every queue with name and counts; JSONP is JSON', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } });
    const r = await req(url(), 'GET', '/stats/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', JSON_RE);
    const body = JSON.parse(r.text) as { queues: Record<string, Record<string, unknown>>; redis: string; count: number };
    assert.equal(body.redis, kind());
    assert.equal(body.count, Object.keys(body.queues).length);
    assert.deepEqual(body.queues[q], { name: q, len: 1, status: 0, policy: 1, ready: 1, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0 });
    const p = await req(url(), 'GET', '/stats/?callback=my.cb');
    assert.equal(p.headers.get('content-type'), JS);
    assert.ok(p.text.startsWith('my.cb(') && p.text.endsWith(')'));
    assert.equal(JSON.parse(p.text.slice(6, -1)).queues[q].name, q);
  });

  // ---- /j/<q> ----
  it('GET /j/<q>: HTML job page with the counts and the oldest jobs', async () => {
    const q = qname();
    await post(url(), q, 'first <job>');
    await post(url(), q, 'second');
    const r = await req(url(), 'GET', `/j/${q}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(r.text.includes(`<title>jobs in queue ${q}</title>`));
    assert.ok(r.text.includes('<p>job count: 2</p>'));
    assert.ok(r.text.includes(`<li>${q}:1: first &#60;job&#62;</li>`), r.text);
    assert.ok(!r.text.includes('<job>'));
  });
  it('GET /j/<q> with Accept: application/json: counts and a peek at the oldest 10, not consumed', async () => {
    const q = qname();
    for (let i = 1; i <= 12; i++) await post(url(), q, `m${i}`);
    const r = await req(url(), 'GET', `/j/${q}`, { headers: { accept: 'application/json' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', JSON_RE);
    const body = JSON.parse(r.text) as Record<string, unknown>;
    assert.deepEqual(body, {
      queue: q, len: 12, status: 1, policy: 1, ready: 12, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0,
      peek: Array.from({ length: 10 }, (_, i) => ({ key: `${q}:${i + 1}`, value: `m${i + 1}` })),
    });
    assert.equal(await len(url(), q), 12);
    assert.equal((await take(url(), q))?.key, `${q}:1`);
  });
  it('GET /j/<q> of an unknown queue: zero counts, empty peek', async () => {
    const q = qname();
    const r = await req(url(), 'GET', `/j/${q}`, { headers: { accept: 'application/json' } });
    assert.deepEqual(JSON.parse(r.text), { queue: q, len: 0, status: 1, policy: 1, ready: 0, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0, peek: [] });
  });

  // ---- JSONP validation ----
  it('an invalid callback name is 400 on every JSONP route, and nothing happens', async () => {
    const q = qname();
    await post(url(), q, 'kept');
    for (const cb of ['alert(1)', '1cb', 'a-b', '<script>', 'x'.repeat(65)]) {
      const c = encodeURIComponent(cb);
      assertError(await req(url(), 'GET', `/q/${q}?callback=${c}`), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'GET', `/?queue=${q}&callback=${c}`), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'POST', `/q/${q}?callback=${c}`, { form: { value: 'nope' } }), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'POST', '/', { form: { queue: q, value: 'nope', callback: cb } }), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'DELETE', `/q/${q}?callback=${c}`), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'GET', `/p/${q}?callback=${c}`), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'POST', `/p/${q}?callback=${c}`, { form: { policy: 'roundrobin' } }), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'POST', `/control/${q}?callback=${c}`, { form: { status: 'stop' } }), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'GET', `/stats/${q}?callback=${c}`), 400, 'INVALID_CALLBACK');
      assertError(await req(url(), 'GET', `/stats/?callback=${c}`), 400, 'INVALID_CALLBACK');
    }
    assert.equal(await len(url(), q), 1);
    assert.equal(JSON.parse((await req(url(), 'GET', `/p/${q}`)).text).value, 'broadcast');
    assert.equal(JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text).status, 1);
    assert.equal((await take(url(), q))?.value, 'kept');
  });

  // ---- operations ----
  it('GET /health: 200 {"status": "ok"}', async () => {
    const r = await req(url(), 'GET', '/health');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', JSON_RE);
    assert.deepEqual(JSON.parse(r.text), { status: 'ok' });
  });
  it('GET /ready: 200 with the store kind', async () => {
    const r = await req(url(), 'GET', '/ready');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), { status: 'ready', store: kind() });
  });
  it('/static/index.html redirects to the dashboard, which is served', async () => {
    const r = await req(url(), 'GET', '/static/index.html');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/dashboard/');
    const d = await req(url(), 'GET', '/dashboard/');
    assert.equal(d.status, 200);
    assert.match(d.headers.get('content-type') ?? '', /^text\/html/);
  });
});
