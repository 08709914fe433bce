/**
 * The JSON protocol (SPEC section 4, originals.md A.3.6) over real HTTP on every backend:
 * `POST /queue` with form field `body` or `msg`, or a raw JSON body; every command;
 * field errors answered 200 `{"error"}`; malformed commands 400; `GET /queue` → 302.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, command, forEachBackend, WITH_CLUSTER, len, post, qname, req, take } from './backends.js';

forEachBackend((ctx) => {
  const url = () => ctx().url;

  it('GET /queue: 302 to the help page, which exists', async () => {
    const r = await req(url(), 'GET', '/queue');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/static/help.html');
    const help = await req(url(), 'GET', '/static/help.html');
    assert.equal(help.status, 200);
    assert.match(help.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('form field body (as examples/test_rest.sh and the help form send it)', async () => {
    const q = qname();
    const r = await req(url(), 'POST', '/queue', { form: { body: JSON.stringify({ cmd: 'add', queue: q, value: 'v' }) } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.text, `{"queue": "${q}", "value": "v", "key": "${q}:1"}`, 'no CRLF, Python separators');
  });
  it('form field msg, which wins over body', async () => {
    const q = qname();
    const r = await req(url(), 'POST', '/queue', {
      form: { body: JSON.stringify({ cmd: 'len', queue: q }), msg: JSON.stringify({ cmd: 'add', queue: q, value: 'from msg' }) },
    });
    assert.deepEqual(JSON.parse(r.text), { queue: q, value: 'from msg', key: `${q}:1` });
  });
  it('a raw application/json body', async () => {
    const q = qname();
    assert.deepEqual(await command(url(), { cmd: 'add', queue: q, value: 'raw' }), { queue: q, value: 'raw', key: `${q}:1` });
    assert.equal((await take(url(), q))?.value, 'raw');
  });

  it('add: JSON values are stored exactly (no stripping), numbers-looking stay strings', async () => {
    const q = qname();
    await command(url(), { cmd: 'add', queue: q, value: '  007\r\n' });
    assert.equal((await take(url(), q))?.value, '  007\r\n');
  });
  it('add values: a batch, keys in order', async () => {
    const q = qname();
    assert.deepEqual(await command(url(), { cmd: 'add', queue: q, values: ['a', 'b'] }), { queue: q, keys: [`${q}:1`, `${q}:2`] });
    assert.equal(await len(url(), q), 2);
  });
  it('get: soft get of the oldest, count grows, nothing removed', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    assert.deepEqual(await command(url(), { cmd: 'get', queue: q }), { queue: q, value: 'a', key: `${q}:1`, count: 1 });
    assert.deepEqual(await command(url(), { cmd: 'get', queue: q }), { queue: q, value: 'a', key: `${q}:1`, count: 2 });
    assert.equal(await len(url(), q), 2);
  });
  it('get on an empty queue', async () => {
    assert.deepEqual(await command(url(), { cmd: 'get', queue: qname() }), { error: 'empty queue' });
  });
  it('take: removes the oldest; then empty queue', async () => {
    const q = qname();
    await post(url(), q, 'a');
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { queue: q, value: 'a', key: `${q}:1` });
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { error: 'empty queue' });
  });
  it('del: removes the body and the pending entry (R11 fixed); a second del says false', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    await command(url(), { cmd: 'get', queue: q });
    assert.deepEqual(await command(url(), { cmd: 'del', queue: q, key: `${q}:1` }), { queue: q, deleted: true, key: `${q}:1` });
    assert.deepEqual(await command(url(), { cmd: 'del', queue: q, key: `${q}:1` }), { queue: q, deleted: false, key: `${q}:1` });
    assert.deepEqual(await command(url(), { cmd: 'get', queue: q }), { queue: q, value: 'b', key: `${q}:2`, count: 1 });
    assert.equal(await len(url(), q), 1);
  });
  it('del of a middle message keeps the others in order', async () => {
    const q = qname();
    for (const v of ['a', 'b', 'c']) await post(url(), q, v);
    assert.equal((await command(url(), { cmd: 'del', queue: q, key: `${q}:2` })).deleted, true);
    assert.equal((await take(url(), q))?.value, 'a');
    assert.equal((await take(url(), q))?.value, 'c');
  });
  it("del of QUEUESET or of another queue's key is refused and deletes nothing (R12 fixed)", async () => {
    const q = qname();
    const other = qname();
    await post(url(), q, 'mine');
    await post(url(), other, 'theirs');
    for (const key of ['QUEUESET', `${other}:1`, `${q}:UUID`, `${q}:queue`, `queuestat::${q}`, `${q}:1:refcount`]) {
      const r = await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'del', queue: q, key }), type: 'application/json' });
      assertError(r, 400, 'INVALID_KEY');
    }
    assert.equal((await take(url(), other))?.value, 'theirs');
    assert.equal((await take(url(), q))?.value, 'mine');
    assert.ok((await req(url(), 'GET', '/q/')).text.includes(`href="/q/${other}"`), 'QUEUESET intact');
  });
  it('len', async () => {
    const q = qname();
    assert.deepEqual(await command(url(), { cmd: 'len', queue: q }), { queue: q, len: 0 });
    await post(url(), q, 'a');
    assert.deepEqual(await command(url(), { cmd: 'len', queue: q }), { queue: q, len: 1 });
  });
  it('stats: the /stats/<q> figures', async () => {
    const q = qname();
    await post(url(), q, 'a');
    assert.deepEqual(await command(url(), { cmd: 'stats', queue: q }), {
      queue: q, len: 1, status: 1, policy: 1, ready: 1, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0,
    });
  });
  it('policy: read (broadcast by default), set, invalid', async () => {
    const q = qname();
    assert.deepEqual(await command(url(), { cmd: 'policy', queue: q }), { queue: q, value: 'broadcast' });
    assert.deepEqual(await command(url(), { cmd: 'policy', queue: q, policy: 'roundrobin' }), { queue: q, value: 'roundrobin' });
    assert.deepEqual(await command(url(), { cmd: 'policy', queue: q, policy: 'random' }), { error: 'invalid policy: random' });
    assert.deepEqual(JSON.parse((await req(url(), 'GET', `/p/${q}`)).text), { queue: q, value: 'roundrobin' });
  });
  it('status: read (1 by default), stop, start, invalid; a stopped queue answers take with an error', async () => {
    const q = qname();
    await post(url(), q, 'a');
    assert.deepEqual(await command(url(), { cmd: 'status', queue: q }), { queue: q, status: 1 });
    assert.deepEqual(await command(url(), { cmd: 'status', queue: q, status: 'stop' }), { queue: q, status: 0 });
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { error: 'queue stopped' });
    assert.deepEqual(await command(url(), { cmd: 'status', queue: q, status: 'pause' }), { error: 'invalid status: pause' });
    assert.deepEqual(await command(url(), { cmd: 'status', queue: q, status: 'start' }), { queue: q, status: 1 });
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { queue: q, value: 'a', key: `${q}:1` });
  });

  it('an unknown command: 200 {"error": "null resultset"}', async () => {
    for (const cmd of ['bogus', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assert.deepEqual(await command(url(), { cmd, queue: qname() }), { error: 'null resultset' }, cmd);
    }
  });
  it('missing or non-string fields: 200 {"error": ...}, nothing enqueued', async () => {
    const q = qname();
    const cases: Record<string, unknown>[] = [
      { cmd: 'add', queue: q },
      { cmd: 'add', value: 'v' },
      { cmd: 'add', queue: q, value: 5 },
      { cmd: 'add', queue: q, value: { a: 1 } },
      { cmd: 'add', queue: q, value: ['x'] },
      { cmd: 'add', queue: q, value: null },
      { cmd: 'add', queue: q, values: 'not an array' },
      { cmd: 'add', queue: 5, value: 'v' },
      { cmd: 'take' },
      { cmd: 'get', queue: ['x'] },
      { cmd: 'del', queue: q },
      { cmd: 'del', queue: q, key: 1 },
      { cmd: 'policy', queue: q, policy: 2 },
      { cmd: 'status', queue: q, status: 0 },
    ];
    for (const c of cases) {
      const reply = await command(url(), c);
      assert.equal(typeof reply['error'], 'string', JSON.stringify(c));
      assert.deepEqual(Object.keys(reply), ['error'], JSON.stringify(c));
    }
    assert.equal(await len(url(), q), 0);
  });
  it('an invalid queue name or an empty value: 400 JSON', async () => {
    for (const c of [{ cmd: 'add', queue: 'a:b', value: 'v' }, { cmd: 'take', queue: 'QUEUESET' }, { cmd: 'add', queue: 'x'.repeat(129), value: 'v' }]) {
      assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify(c), type: 'application/json' }), 400, 'INVALID_QUEUE_NAME');
    }
    const q = qname();
    assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'add', queue: q, value: '' }), type: 'application/json' }), 400, 'EMPTY_VALUE');
    assert.equal(await len(url(), q), 0);
  });
  it('a body that is not JSON: 400', async () => {
    assertError(await req(url(), 'POST', '/queue', { form: { body: '{not json' } }), 400, 'INVALID_JSON');
    assertError(await req(url(), 'POST', '/queue', { body: '{"cmd": ', type: 'application/json' }), 400, 'INVALID_JSON');
  });
  it('no cmd, a non-string or empty cmd, or not an object: 400', async () => {
    for (const body of ['{}', '{"queue": "x"}', '{"cmd": 5}', '{"cmd": ""}', '{"cmd": null}', '[]', '["add"]', '"add"', '5', 'null']) {
      assertError(await req(url(), 'POST', '/queue', { body, type: 'application/json' }), 400, 'INVALID_COMMAND');
    }
  });
  it('no command at all: 400', async () => {
    assertError(await req(url(), 'POST', '/queue'), 400, 'MISSING_ARGUMENT');
    assertError(await req(url(), 'POST', '/queue', { form: { other: 'x' } }), 400, 'MISSING_ARGUMENT');
  });
}, { backends: WITH_CLUSTER });
