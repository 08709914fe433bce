/**
 * DELETE /queues/<q> and the JSON command `drop` on every backend (Redis Cluster included):
 * the queue vanishes from /stats/, the dashboard API and /metrics, its streams end, a producer
 * posting afterwards creates it anew from `<q>:1`; an unknown queue is 404, a bad name 400;
 * DELETE /q/<q> still purges and keeps the queue. Then the ACL: only admin may delete.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { CometClient, SseClient, WsClient } from '../harness/stream-clients.js';
import { waitUntil } from '../harness/wait.js';
import { assertError, command, forEachBackend, post, qname, req, take, WITH_CLUSTER } from './backends.js';

/** The queues /stats/ and the dashboard API list. */
const listed = async (url: string): Promise<{ stats: string[]; dashboard: string[] }> => ({
  stats: Object.keys((JSON.parse((await req(url, 'GET', '/stats/')).text) as { queues: Record<string, unknown> }).queues),
  dashboard: (JSON.parse((await req(url, 'GET', '/dashboard/api/queues')).text) as { queues: { queue: string }[] }).queues.map((r) => r.queue),
});

/** Whether /metrics has any series labelled with this queue. */
const inMetrics = async (url: string, q: string) => (await req(url, 'GET', '/metrics')).text.includes(`queue="${q}"`);

forEachBackend((ctx) => {
  const url = () => ctx().url;

  it('DELETE /queues/<q>: 204; gone from /stats/, the dashboard API and /metrics; a producer creates it anew from <q>:1', async () => {
    const q = qname();
    const other = qname();
    await post(url(), other, 'stays');
    for (const v of ['a', 'b', 'c']) await post(url(), q, v);
    await req(url(), 'POST', `/p/${q}`, { form: { policy: 'roundrobin', max_attempts: '3' } });
    const leased = await req(url(), 'GET', `/q/${q}?lease=60`);
    assert.equal(leased.status, 200, leased.text);
    const before = await listed(url());
    assert.ok(before.stats.includes(q) && before.dashboard.includes(q), 'listed before');
    assert.ok(await inMetrics(url(), q), 'in /metrics before');

    const r = await req(url(), 'DELETE', `/queues/${q}`);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    const after = await listed(url());
    assert.ok(!after.stats.includes(q), 'gone from /stats/');
    assert.ok(!after.dashboard.includes(q), 'gone from the dashboard API');
    assert.ok(!(await inMetrics(url(), q)), 'gone from /metrics (counters included)');
    assert.ok(after.stats.includes(other), 'another queue stays');
    const stats = JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text) as Record<string, number>;
    assert.deepEqual([stats['len'], stats['inflight'], stats['policy']], [0, 0, 1], 'nothing left: no messages, no lease, the default policy');
    assert.equal(JSON.parse((await req(url(), 'GET', `/p/${q}`)).text).max_attempts, undefined, 'the settings are gone');
    const receipt = (JSON.parse(leased.text) as { receipt: string }).receipt;

    assert.equal(await post(url(), q, 'again'), `${q}:1`, 'a producer creates the queue anew, keys from 1');
    assert.ok((await listed(url())).stats.includes(q), 'listed again');
    assertError(await req(url(), 'DELETE', `/q/${q}/${receipt}`), 409, 'STALE_RECEIPT');
    assert.equal((await take(url(), q))?.value, 'again', 'the old receipt did not touch the new message');
  });

  it('DELETE /queues/<q> ends every stream of the queue (COMET, SSE, WebSocket)', async () => {
    const q = qname();
    await post(url(), q, 'first');
    const comet = await CometClient.open(url(), q);
    const sse = await SseClient.open(url(), `/sse/${q}`);
    const ws = await WsClient.open(url(), q);
    try {
      await waitUntil('a stream got the message', () => comet.messages.length + sse.messages.length + ws.messages.length > 0, 5000);
      assert.equal((await req(url(), 'DELETE', `/queues/${q}`)).status, 204);
      await Promise.all([comet.waitForEnd(), sse.waitForEnd(), ws.waitForEnd()]);
      assert.ok(comet.gotEnd && sse.gotEnd && ws.gotEnd, 'each stream got its end marker');
    } finally {
      comet.close();
      sse.close();
      ws.close();
    }
    await waitUntil('no consumer is counted', async () => {
      const s = JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text) as { consumers: number };
      return s.consumers === 0;
    }, 5000);
    assert.ok(!(await listed(url())).stats.includes(q), 'and the queue is gone');
  });

  it('unknown queue: 404 QUEUE_NOT_FOUND; a bad name: 400; other methods: 405; DELETE /q/<q> still keeps the queue', async () => {
    assertError(await req(url(), 'DELETE', `/queues/${qname()}`), 404, 'QUEUE_NOT_FOUND');
    assertError(await req(url(), 'DELETE', '/queues/QUEUESET'), 400, 'INVALID_QUEUE_NAME');
    assertError(await req(url(), 'DELETE', '/queues/a%20b'), 400, 'INVALID_QUEUE_NAME');
    assertError(await req(url(), 'GET', `/queues/${qname()}`), 405, 'METHOD_NOT_ALLOWED');
    const q = qname();
    await post(url(), q, 'x');
    assert.equal(JSON.parse((await req(url(), 'DELETE', `/q/${q}`)).text).status, 1, 'purged');
    assert.ok((await listed(url())).stats.includes(q), 'a purge keeps the queue');
    assert.equal(await post(url(), q, 'y'), `${q}:2`, 'and its counter');
    assert.equal((await req(url(), 'DELETE', `/queues/${q}`)).status, 204);
    assertError(await req(url(), 'DELETE', `/queues/${q}`), 404, 'QUEUE_NOT_FOUND');
  });

  it('JSON protocol: {"cmd": "drop"} deletes the queue; unknown 404 QUEUE_NOT_FOUND; missing queue in-band', async () => {
    const q = qname();
    assert.equal((await command(url(), { cmd: 'add', queue: q, value: 'v' }))['key'], `${q}:1`);
    assert.deepEqual(await command(url(), { cmd: 'drop', queue: q }), { queue: q, deleted: true });
    assert.ok(!(await listed(url())).stats.includes(q), 'gone from /stats/');
    assertError(await req(url(), 'POST', '/queue', { body: JSON.stringify({ cmd: 'drop', queue: q }), type: 'application/json' }), 404, 'QUEUE_NOT_FOUND');
    assert.deepEqual(await command(url(), { cmd: 'drop' }), { error: 'missing field: queue' });
    assert.equal((await command(url(), { cmd: 'add', queue: q, value: 'w' }))['key'], `${q}:1`, 'created anew');
  });
}, { backends: WITH_CLUSTER });

describe('DELETE /queues/<q> and `drop` under the ACL: admin only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-delq-acl-'));
  const file = join(dir, 'acl.conf');
  let broker: TestBroker | undefined;
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const ROOT = basic('root', 'root-pw');
  const APP = basic('app', 'app-pw');
  const url = () => {
    assert.ok(broker, 'broker started');
    return broker.url;
  };
  before(async () => {
    writeFileSync(file, ['rest:producer', 'rest:consumer', 'websocket:consumer'].map((s) => `[${s}]\nusername = app\npassword = app-pw\n`).join('') +
      '[admin]\nusername = root\npassword = root-pw\n');
    broker = await startTestBroker('memory', { flags: { acl: file } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a producer/consumer user and a read,write API key are refused; admin (user or key) deletes', async () => {
    const q = qname();
    assert.equal((await req(url(), 'POST', `/q/${q}`, { form: { value: 'v' }, headers: APP })).status, 200);
    assertError(await req(url(), 'DELETE', `/queues/${q}`, { headers: APP }), 401, 'AUTH_REQUIRED');
    assertError(await req(url(), 'DELETE', `/queues/${q}`), 401, 'AUTH_REQUIRED');
    const drop = { body: JSON.stringify({ cmd: 'drop', queue: q }), type: 'application/json' };
    assertError(await req(url(), 'POST', '/queue', { ...drop, headers: APP }), 401, 'AUTH_REQUIRED');
    const created = await req(url(), 'POST', '/authkeys', { form: { queues: q, privs: 'read,write' }, headers: ROOT });
    const { key } = JSON.parse(created.text) as { key: string };
    assertError(await req(url(), 'DELETE', `/queues/${q}`, { headers: { authorization: `Bearer ${key}` } }), 403, 'FORBIDDEN');
    assertError(await req(url(), 'POST', '/queue', { ...drop, headers: { authorization: `Bearer ${key}` } }), 403, 'FORBIDDEN');
    assert.equal((await req(url(), 'GET', `/stats/${q}`, { headers: APP })).text.includes('"len": 1'), true, 'the refused deletes changed nothing');
    const adminKey = JSON.parse((await req(url(), 'POST', '/authkeys', { form: { queues: '*', privs: 'admin' }, headers: ROOT })).text) as { key: string };
    assert.equal((await req(url(), 'DELETE', `/queues/${q}`, { headers: { authorization: `Bearer ${adminKey.key}` } })).status, 204);
    assert.equal((await req(url(), 'POST', '/queue', { ...drop, headers: ROOT })).status, 404, 'admin drop of an unknown queue reaches the store');
  });

  it('a WebSocket frame {"cmd": "drop"} needs admin too', async () => {
    const q = qname();
    assert.equal((await req(url(), 'POST', `/q/${q}`, { form: { value: 'v' }, headers: APP })).status, 200);
    const socket = new WebSocket(`${url().replace(/^http/, 'ws')}/ws/${qname()}`, { headers: APP });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const reply = new Promise<string>((resolve) => socket.once('message', (d) => resolve(d.toString())));
      socket.send(JSON.stringify({ cmd: 'drop', queue: q }));
      assert.equal((JSON.parse(await reply) as { code?: string }).code, 'AUTH_REQUIRED');
    } finally {
      socket.terminate();
    }
    assert.ok((await req(url(), 'GET', `/stats/${q}`, { headers: APP })).text.includes('"len": 1'), 'the queue is still there');
  });
});
