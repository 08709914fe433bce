/**
 * API keys end to end, on every backend: created over `/authkeys` (admin), used as
 * `Authorization: Bearer` or `?authkey=` in place of the ACL password on REST, SSE and
 * WebSocket routes, scoped by privilege and queue pattern (403 FORBIDDEN outside them, 401 for
 * an unknown key), revoked; the store keeps only the hash. Then the `restmq authkey` CLI, over
 * --url and directly on a store.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { redisClient } from '../harness/redis.js';
import { runCli, startTestBroker, type TestBroker } from '../harness/broker.js';
import { SseClient } from '../harness/stream-clients.js';
import { assertError, forEachBackend, req, type Res } from './backends.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-authkeys-'));
const aclFile = join(dir, 'acl.conf');
writeFileSync(
  aclFile,
  ['rest:producer', 'rest:consumer', 'comet:consumer', 'websocket:consumer'].map((s) => `[${s}]\nusername = app\npassword = app-pw\n`).join('') +
    '[admin]\nusername = root\npassword = root-pw\n',
);
after(() => rmSync(dir, { recursive: true, force: true }));

const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const ROOT = basic('root', 'root-pw');
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const suffix = () => Math.random().toString(36).slice(2, 10);

interface Created {
  key: string;
  hash: string;
  queues: string[];
  privs: string[];
}

async function create(url: string, queues: string, privs: string): Promise<Created> {
  const r = await req(url, 'POST', '/authkeys', { form: { queues, privs }, headers: ROOT });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Created;
}

/** A WebSocket handshake: 101 when it opens, else the refusal's status. */
function wsStatus(url: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + path, { headers });
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (err) => {
      if (!err.message.includes('Unexpected server response')) reject(err);
    });
  });
}

const ok = (r: Res, what: string) => assert.ok(r.status === 200 || r.status === 204, `${what}: ${r.status} ${r.text}`);

forEachBackend(
  (ctx) => {
    it('POST /authkeys (admin) creates a key shown once; GET lists hashes only; non-admins are refused', async () => {
      const { url } = ctx();
      const k = await create(url, 'jobs.*,audit', 'read,write');
      assert.match(k.key, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(k.hash, createHash('sha256').update(k.key).digest('hex'));
      assert.deepEqual([k.queues, k.privs], [['jobs.*', 'audit'], ['read', 'write']]);
      const list = await req(url, 'GET', '/authkeys', { headers: ROOT });
      assert.equal(list.status, 200);
      assert.ok(list.text.includes(k.hash), 'the hash is listed');
      assert.ok(!list.text.includes(k.key), 'the key is never listed');
      assertError(await req(url, 'GET', '/authkeys', { headers: basic('app', 'app-pw') }), 401, 'AUTH_REQUIRED');
      assertError(await req(url, 'POST', '/authkeys', { form: { queues: 'x', privs: 'create' }, headers: ROOT }), 400, 'INVALID_AUTHKEY');
      assertError(await req(url, 'POST', '/authkeys', { form: { queues: 'a b', privs: 'read' }, headers: ROOT }), 400, 'INVALID_AUTHKEY');
    });

    it('a key works in place of the password within its privileges and queue patterns', async () => {
      const { url } = ctx();
      const q = `jobs.${suffix()}`;
      const k = await create(url, 'jobs.*', 'read,write');
      ok(await req(url, 'POST', `/q/${q}`, { form: { value: 'v' }, headers: bearer(k.key) }), 'write with Bearer');
      ok(await req(url, 'GET', `/q/${q}?authkey=${k.key}`), 'read with ?authkey=');
      assertError(await req(url, 'POST', `/q/other-${suffix()}`, { form: { value: 'v' }, headers: bearer(k.key) }), 403, 'FORBIDDEN');
      assertError(await req(url, 'DELETE', `/q/${q}`, { headers: bearer(k.key) }), 403, 'FORBIDDEN');
      assertError(await req(url, 'GET', '/stats/', { headers: bearer(k.key) }), 403, 'FORBIDDEN');
      const unknown = await req(url, 'GET', `/q/${q}`, { headers: bearer('not-a-key') });
      assertError(unknown, 401, 'AUTH_REQUIRED');
      assert.equal(unknown.headers.get('www-authenticate'), 'Basic realm="RestMQ"');
      ok(await req(url, 'GET', `/q/${q}`, { headers: basic('app', 'app-pw') }), 'the password still works');
    });

    it('read-only and admin keys; * covers routes without a queue', async () => {
      const { url } = ctx();
      const q = `jobs.${suffix()}`;
      const reader = await create(url, 'jobs.*', 'read');
      assertError(await req(url, 'POST', `/q/${q}`, { form: { value: 'v' }, headers: bearer(reader.key) }), 403, 'FORBIDDEN');
      ok(await req(url, 'GET', `/q/${q}`, { headers: bearer(reader.key) }), 'read');
      const admin = await create(url, '*', 'read,admin');
      ok(await req(url, 'GET', '/stats/', { headers: bearer(admin.key) }), 'stats of all with *');
      ok(await req(url, 'DELETE', `/q/${q}`, { headers: bearer(admin.key) }), 'purge with admin');
      ok(await req(url, 'GET', '/authkeys', { headers: bearer(admin.key) }), 'an admin key manages keys');
    });

    it('moving an in-flight message needs the key on the target queue too', async () => {
      const { url } = ctx();
      const q = `jobs.${suffix()}`;
      const scoped = await create(url, 'jobs.*', 'read,write,admin');
      ok(await req(url, 'POST', `/q/${q}`, { form: { value: 'v' }, headers: bearer(scoped.key) }), 'write');
      const leased = await req(url, 'GET', `/q/${q}?lease=60`, { headers: bearer(scoped.key) });
      ok(leased, 'lease');
      const { receipt } = JSON.parse(leased.text) as { receipt: string };
      assertError(await req(url, 'POST', `/q/${q}/${receipt}/move?to=payments-${suffix()}`, { headers: bearer(scoped.key) }), 403, 'FORBIDDEN');
      ok(await req(url, 'POST', `/q/${q}/${receipt}/move?to=jobs.moved-${suffix()}`, { headers: bearer(scoped.key) }), 'move within the key\'s queues');
    });

    it('keys open WebSocket and SSE handshakes; a key without read is refused before the upgrade', async () => {
      const { url } = ctx();
      const q = `jobs.${suffix()}`;
      const reader = await create(url, 'jobs.*', 'read');
      const writer = await create(url, 'jobs.*', 'write');
      assert.equal(await wsStatus(url, `/ws/${q}`, bearer(reader.key)), 101);
      assert.equal(await wsStatus(url, `/ws/${q}?authkey=${reader.key}`, {}), 101);
      assert.equal(await wsStatus(url, `/ws/${q}`, bearer(writer.key)), 403);
      assert.equal(await wsStatus(url, `/ws/${q}`, {}), 401);
      const sse = await SseClient.open(url, `/sse/${q}?authkey=${reader.key}`);
      try {
        assert.equal(sse.status, 200);
        await req(url, 'POST', `/q/${q}`, { form: { value: 'hello' }, headers: bearer(writer.key) });
        const [m] = await sse.waitForCount(1);
        assert.equal(m?.value, 'hello');
      } finally {
        sse.close();
      }
    });

    it('a revoked key is unknown at once (by hash prefix); the store holds the hash, never the key', async () => {
      const { url, redis } = ctx();
      const k = await create(url, '*', 'read');
      ok(await req(url, 'GET', '/stats/', { headers: bearer(k.key) }), 'before revoking');
      if (redis) {
        const raw = redisClient(redis.port);
        try {
          assert.ok((await raw.get(`AUTHKEY:${k.hash}`)) !== null, 'AUTHKEY:<hash> exists');
          assert.equal(await raw.get(`AUTHKEY:${k.key}`), null, 'no record is named by the key');
        } finally {
          raw.disconnect();
        }
      }
      const revoked = await req(url, 'DELETE', `/authkeys/${k.hash.slice(0, 12)}`, { headers: ROOT });
      assert.equal(revoked.status, 200, revoked.text);
      assertError(await req(url, 'GET', '/stats/', { headers: bearer(k.key) }), 401, 'AUTH_REQUIRED');
      assertError(await req(url, 'DELETE', `/authkeys/${k.hash}`, { headers: ROOT }), 404, 'NOT_FOUND');
      assertError(await req(url, 'DELETE', '/authkeys/xyz', { headers: ROOT }), 400, 'INVALID_AUTHKEY');
    });
  },
  { flags: { acl: aclFile } },
);

describe('restmq authkey (CLI)', () => {
  let broker: TestBroker | undefined;
  const b = () => {
    assert.ok(broker, 'broker started');
    return broker;
  };
  before(async () => {
    broker = await startTestBroker('sqlite', { flags: { acl: aclFile } });
  });
  after(async () => {
    await broker?.close();
  });

  it('create, list and revoke over --url with the admin password', async () => {
    const auth = ['--url', b().url, '--user', 'root:root-pw'];
    const created = await runCli(['authkey', 'create', ...auth, '--queues', 'cli.*', '--privs', 'read,write']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(key).digest('hex');
    ok(await req(b().url, 'POST', '/q/cli.a', { form: { value: 'v' }, headers: bearer(key) }), 'the new key works');
    const listed = await runCli(['authkey', 'list', ...auth]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.includes(`${hash.slice(0, 12)}  cli.*  read,write`), listed.stdout);
    assert.ok(!listed.stdout.includes(key), 'list never shows a key');
    const revoked = await runCli(['authkey', 'revoke', ...auth, key]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assertError(await req(b().url, 'POST', '/q/cli.a', { form: { value: 'v' }, headers: bearer(key) }), 401, 'AUTH_REQUIRED');
    const refused = await runCli(['authkey', 'list', '--url', b().url, '--user', 'root:wrong']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^restmq authkey: 401: authentication required\n$/);
  });

  it('without --url, works on the store directly (here a SQLite file no broker holds)', async () => {
    const store = `sqlite:${join(dir, `cli-${suffix()}.db`)}`;
    const created = await runCli(['authkey', 'create', '--store', store, '--queues', '*', '--privs', 'admin']);
    assert.equal(created.code, 0, created.stderr);
    const listed = await runCli(['authkey', 'list', '--store', store]);
    assert.match(listed.stdout, /^[0-9a-f]{12} {2}\* {2}admin {2}\d{4}-/);
    const prefix = listed.stdout.slice(0, 12);
    const revoked = await runCli(['authkey', 'revoke', '--store', store, prefix]);
    assert.equal(revoked.stdout, `revoked ${prefix}\n`);
    assert.equal((await runCli(['authkey', 'list', '--store', store])).stdout, '');
    const bad = await runCli(['authkey', 'create', '--store', store, '--queues', 'x', '--privs', 'create']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /privs: "create"/);
  });
});
