/**
 * presque's bookkeeping on plain Redis is written in presque's own keys (originals.md B.4), so an
 * old presque sharing the Redis sees our counters, workers and tokens, and we see its: checked
 * here on the raw keys, both ways.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisStore } from '../../src/storage/redis/redis-store.js';
import { redisClient } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';

describe('presque on plain Redis', () => {
  const { srv, open } = privateRedis();
  let store: RedisStore;
  let raw: Redis;
  before(async () => {
    store = await open();
    raw = redisClient(srv().port);
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
  });

  it("our writes are presque's keys", async () => {
    const q = `p-${randomUUID()}`;
    const w = `w-${randomUUID()}`;
    await store.presque.register(w, q);
    assert.equal(await store.presque.claimUniq(q, 'tok'), true);
    const [key] = await store.enqueue(q, ['{"a":1}']);
    await store.presque.bindUniq(q, 'tok', key!);
    await store.presque.fetched(q, ['x', 'y'], w);
    await store.presque.failed(q, w);
    assert.equal(await raw.hget('processed', q), '2');
    assert.equal(await raw.hget('failed', q), '1');
    assert.ok(await raw.sismember('workers', w));
    assert.deepEqual(await raw.smembers(`workers:${q}`), [w]);
    assert.equal(await raw.hget('workers:processed', w), '2');
    assert.equal(await raw.hget('workers:failed', w), '1');
    assert.equal(await raw.hget(`${q}:uniq`, 'tok'), key);
    assert.equal(await raw.hget(`foo:${q}:uniq_job`, key!), 'tok');
    await store.take(q, 1);
    await store.presque.fetched(q, [key!], w);
    assert.equal(await raw.hexists(`${q}:uniq`, 'tok'), 0, 'the fetch freed the token');
    assert.equal(await raw.hexists(`foo:${q}:uniq_job`, key!), 0);
  });

  it("presque's writes are read as ours", async () => {
    const q = `p-${randomUUID()}`;
    await raw.hset('processed', q, '7');
    await raw.hset('failed', q, '3');
    await raw.sadd('workers', 'perl-worker');
    await raw.sadd(`workers:${q}`, 'perl-worker');
    await raw.hset('workers:processed', 'perl-worker', '5');
    await raw.hset(`${q}:uniq`, 'u', `${q}:1`);
    await raw.set(`${q}:1`, '{"job":1}');
    assert.deepEqual(await store.presque.counters(q), { processed: 7, failed: 3 });
    assert.deepEqual(await store.presque.workers(q), ['perl-worker']);
    assert.deepEqual(await store.presque.worker('perl-worker'), { processed: 5, failed: 0 });
    assert.equal(await store.presque.claimUniq(q, 'u'), false, "presque's token is held while its job is there");
    await raw.del(`${q}:1`);
    assert.equal(await store.presque.claimUniq(q, 'u'), true, 'and free once the job is gone');
    await store.presque.unregister('perl-worker', q);
    assert.equal(await raw.sismember('workers', 'perl-worker'), 0, 'a worker presque registered goes at once, as there');
  });
});
