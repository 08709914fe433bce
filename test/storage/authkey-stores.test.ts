/**
 * The API key conformance suite on every backend (SQLite file, :memory:, a private Redis), and
 * the Redis layout: `AUTHKEY:<sha256 hex>`, the original's key with the hash in place of the
 * key; an old plain-text `AUTHKEY:<key>` record is not listed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { openRedisStore } from '../../src/storage/redis/redis-store.js';
import { redisClient, startRedis, type RedisServer } from '../harness/redis.js';
import { runAuthKeyConformance } from './authkey-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-authkeys-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runAuthKeyConformance({ name: 'sqlite (file)', open: async () => openSqliteStore({ path: join(dir, 'a.db') }) });
runAuthKeyConformance({ name: 'sqlite (:memory:)', open: async () => openSqliteStore({ path: ':memory:' }) });

describe('redis API key store', () => {
  let server: RedisServer | undefined;
  const srv = () => {
    assert.ok(server, 'redis-server not started');
    return server;
  };
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });

  runAuthKeyConformance({ name: 'redis', open: () => openRedisStore({ host: srv().host, port: srv().port, db: 0 }) });

  it('stores AUTHKEY:<sha256 hex> and skips plain-text records of the original', async () => {
    const store = await openRedisStore({ host: srv().host, port: srv().port, db: 0 });
    const raw = redisClient(srv().port);
    try {
      const h = createHash('sha256').update('layout-test').digest('hex');
      await store.putAuthKey(h, '{"queues": ["test"], "privs": ["read"]}');
      assert.equal(await raw.get(`AUTHKEY:${h}`), '{"queues": ["test"], "privs": ["read"]}');
      await raw.set('AUTHKEY:aaa123', '{"queues": ["test"], "privs": ["create"]}');
      const listed = (await store.listAuthKeys()).map((e) => e.hash);
      assert.ok(listed.includes(h), 'the hashed record is listed');
      assert.ok(!listed.includes('aaa123'), 'a plain-text record is not');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
