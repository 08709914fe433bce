/**
 * Sharing one Redis with an original RestMQ broker (SPEC 1.2, originals.md A.5), through our
 * HTTP API: messages written by hand in the original layout are served in FIFO order, and
 * what our HTTP writes leave in Redis is exactly what an old broker reads. Raw keys are
 * spelled out as literals on purpose: this file pins the legacy layout.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { redisClient, startRedis, type RedisServer } from '../harness/redis.js';
import { command, post, qname, req, take } from './backends.js';

describe('legacy Redis layout over HTTP', () => {
  let server: RedisServer | undefined;
  let broker: TestBroker | undefined;
  let raw: Redis | undefined;
  const url = () => broker!.url;
  const redis = () => raw!;

  before(async () => {
    server = await startRedis();
    broker = await startTestBroker('redis', { redis: server });
    raw = redisClient(server.port);
  });
  after(async () => {
    await raw?.quit();
    await broker?.close();
    await server?.stop();
  });

  /** Every key that starts with the queue's name (SCAN, on our own server). */
  async function keysOf(q: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis().scan(cursor, 'MATCH', `${q}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found.sort();
  }

  /** queue_add exactly as core.RedisOperations does it (A.5.2). */
  async function legacyAdd(q: string, value: string): Promise<string> {
    const n = await redis().incr(`${q}:UUID`);
    await redis().set(`${q}:${n}`, value);
    if (n === 1) {
      await redis().sadd('QUEUESET', q);
      await redis().set(`queuestat::${q}`, '1');
    }
    await redis().lpush(`${q}:queue`, `${q}:${n}`);
    return `${q}:${n}`;
  }

  it('messages written by an original broker are taken over HTTP in FIFO order', async () => {
    const q = qname();
    for (const v of ['one', 'two', 'three']) await legacyAdd(q, v);
    assert.deepEqual(await take(url(), q), { count: 0, key: `${q}:1`, value: 'one' });
    const r = await req(url(), 'GET', `/?queue=${q}`);
    assert.equal(r.text, `{"count": 0, "key": "${q}:2", "value": "two"}\r\n`);
    assert.deepEqual(await command(url(), { cmd: 'take', queue: q }), { queue: q, value: 'three', key: `${q}:3` });
    assert.equal(await take(url(), q), null);
  });
  it('legacy messages show in /q/, /stats/ and /j/', async () => {
    const q = qname();
    await legacyAdd(q, 'a');
    await legacyAdd(q, 'b');
    assert.ok((await req(url(), 'GET', '/q/')).text.includes(`href="/q/${q}"`));
    assert.equal(JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text).len, 2);
    const j = JSON.parse((await req(url(), 'GET', `/j/${q}`, { headers: { accept: 'application/json' } })).text) as { peek: unknown[] };
    assert.deepEqual(j.peek, [{ key: `${q}:1`, value: 'a' }, { key: `${q}:2`, value: 'b' }]);
  });
  it('a legacy numeric body comes back as the stored string', async () => {
    const q = qname();
    await legacyAdd(q, '007');
    assert.equal((await req(url(), 'GET', `/q/${q}`)).text, `{"count": 0, "key": "${q}:1", "value": "007"}\r\n`);
  });
  it('a pending key whose body is gone (expired or deleted by an old broker) is skipped', async () => {
    const q = qname();
    await legacyAdd(q, 'lost');
    await legacyAdd(q, 'found');
    await redis().del(`${q}:1`);
    assert.deepEqual(await command(url(), { cmd: 'get', queue: q }), { queue: q, value: 'found', key: `${q}:2`, count: 1 });
    assert.deepEqual(await take(url(), q), { count: 0, key: `${q}:2`, value: 'found' });
    assert.equal(await redis().exists(`${q}:queue`), 0);
  });
  it('queue names an old broker accepted (no validation) are listed escaped, and never break /stats/', async () => {
    const odd = [`<b>${qname()}</b>`, `a:b ${qname()}`, `123${Date.now()}`];
    await redis().sadd('QUEUESET', ...odd);
    try {
      const list = await req(url(), 'GET', '/q/');
      assert.equal(list.status, 200);
      assert.ok(!list.text.includes('<b>'), 'names are HTML-escaped');
      assert.ok(list.text.includes(`<a href="/q/${encodeURIComponent(odd[0]!)}">/q/&#60;b&#62;`), list.text);
      assert.ok(list.text.includes(`href="/q/${encodeURIComponent(odd[1]!)}"`));
      for (const path of ['/stats/', '/control/']) {
        const r = await req(url(), 'GET', path);
        assert.equal(r.status, 200, `${path}: ${r.text}`);
        const queues = (JSON.parse(r.text) as { queues: Record<string, unknown> }).queues;
        for (const name of odd) assert.ok(name in queues, `${path} lists ${name}`);
      }
    } finally {
      await redis().srem('QUEUESET', ...odd);
    }
  });
  it('a legacy policy and status are honoured', async () => {
    const q = qname();
    await legacyAdd(q, 'held');
    await redis().set(`${q}:queuepolicy`, '2');
    await redis().set(`queuestat::${q}`, '0');
    assert.equal(JSON.parse((await req(url(), 'GET', `/p/${q}`)).text).value, 'roundrobin');
    const r = await req(url(), 'GET', `/q/${q}`);
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('x-restmq-status'), 'stopped');
    await redis().set(`queuestat::${q}`, '1');
    assert.equal((await take(url(), q))?.value, 'held');
  });
  it('a JSON get bumps the legacy refcount key', async () => {
    const q = qname();
    await legacyAdd(q, 'x');
    await command(url(), { cmd: 'get', queue: q });
    await command(url(), { cmd: 'get', queue: q });
    assert.equal(await redis().get(`${q}:1:refcount`), '2');
  });

  it('HTTP writes leave exactly the layout an old broker reads', async () => {
    const q = qname();
    assert.equal(await post(url(), q, 'a'), `${q}:1`);
    assert.equal(await post(url(), q, 'b'), `${q}:2`);
    assert.deepEqual(await keysOf(q), [`${q}:1`, `${q}:2`, `${q}:UUID`, `${q}:queue`]);
    assert.equal(await redis().get(`${q}:UUID`), '2');
    assert.equal(await redis().get(`${q}:1`), 'a');
    assert.equal(await redis().get(`${q}:2`), 'b');
    assert.equal(await redis().type(`${q}:queue`), 'list');
    assert.deepEqual(await redis().lrange(`${q}:queue`, 0, -1), [`${q}:2`, `${q}:1`], 'newest at the head, oldest at the tail');
    assert.equal(await redis().sismember('QUEUESET', q), 1);
    assert.equal(await redis().get(`queuestat::${q}`), '1');
    assert.equal(await redis().ttl(`${q}:1`), -1, 'no expiry without ttl');
    // An old broker's hard get: RPOP the tail, then read the body.
    assert.equal(await redis().rpop(`${q}:queue`), `${q}:1`);
    assert.equal(await redis().get(`${q}:1`), 'a');
  });
  it('batch and JSON writes use the same layout', async () => {
    const q = qname();
    await req(url(), 'POST', `/q/${q}?batch=1`, { body: '["a", "b"]', type: 'application/json' });
    await command(url(), { cmd: 'add', queue: q, value: 'c' });
    assert.deepEqual(await redis().lrange(`${q}:queue`, 0, -1), [`${q}:3`, `${q}:2`, `${q}:1`]);
    assert.deepEqual(await redis().mget(`${q}:1`, `${q}:2`, `${q}:3`), ['a', 'b', 'c']);
    assert.equal(await redis().sismember('QUEUESET', q), 1);
    assert.equal(await redis().get(`queuestat::${q}`), '1');
  });
  it('ttl is an EXPIRE on the body key only', async () => {
    const q = qname();
    await post(url(), q, 'a', { ttl: '100' });
    const ttl = await redis().ttl(`${q}:1`);
    assert.ok(ttl > 0 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await redis().ttl(`${q}:queue`), -1);
  });
  it('after a GET the body key is gone (no orphan, R10 fixed)', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    await command(url(), { cmd: 'get', queue: q }); // creates q:1:refcount
    await take(url(), q);
    assert.deepEqual(await keysOf(q), [`${q}:2`, `${q}:UUID`, `${q}:queue`]);
    assert.deepEqual(await redis().lrange(`${q}:queue`, 0, -1), [`${q}:2`]);
  });
  it('after DELETE no body keys remain; counter, status and registration stay', async () => {
    const q = qname();
    for (const v of ['a', 'b', 'c']) await post(url(), q, v);
    await command(url(), { cmd: 'get', queue: q });
    await req(url(), 'DELETE', `/q/${q}`);
    assert.deepEqual(await keysOf(q), [`${q}:UUID`]);
    assert.equal(await redis().get(`${q}:UUID`), '3');
    assert.equal(await redis().get(`queuestat::${q}`), '1');
    assert.equal(await redis().sismember('QUEUESET', q), 1);
  });
  it('JSON del removes the body and the list entry, nothing else', async () => {
    const q = qname();
    await post(url(), q, 'a');
    await post(url(), q, 'b');
    await command(url(), { cmd: 'del', queue: q, key: `${q}:1` });
    assert.deepEqual(await keysOf(q), [`${q}:2`, `${q}:UUID`, `${q}:queue`]);
    assert.deepEqual(await redis().lrange(`${q}:queue`, 0, -1), [`${q}:2`]);
  });
  it('policy and control write the legacy keys', async () => {
    const q = qname();
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    assert.equal(await redis().get(`${q}:queuepolicy`), '2');
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'broadcast' } });
    assert.equal(await redis().get(`${q}:queuepolicy`), '1');
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'stop' } });
    assert.equal(await redis().get(`queuestat::${q}`), '0');
    await req(url(), 'POST', `/control/${q}`, { form: { status: 'start' } });
    assert.equal(await redis().get(`queuestat::${q}`), '1');
    assert.equal(await redis().sismember('QUEUESET', q), 0, 'policy and control do not register the queue');
  });
  it('an old broker continues our counter and we continue its', async () => {
    const q = qname();
    await post(url(), q, 'ours');
    assert.equal(await legacyAdd(q, 'theirs'), `${q}:2`);
    assert.equal(await post(url(), q, 'ours again'), `${q}:3`);
    for (const v of ['ours', 'theirs', 'ours again']) assert.equal((await take(url(), q))?.value, v);
  });
});
