/**
 * The Redis API key layout (the shared cases run in conformance-*.test.ts):
 * `AUTHKEY:<sha256 hex>`, the original's key with the hash in place of the key; an old
 * plain-text `AUTHKEY:<key>` record is not listed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { redisClient } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';

describe('redis API key store', () => {
  const { srv, open } = privateRedis();

  it('stores AUTHKEY:<sha256 hex> and skips plain-text records of the original', async () => {
    const store = await open();
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
