/**
 * The Redis Cluster test harness itself: 6 nodes, 3 primaries with every slot served, a
 * cluster client reads and writes through it, and a killed primary is failed over.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';

describe('startRedisCluster', () => {
  let cluster: RedisCluster;
  before(async () => {
    cluster = await startRedisCluster({ password: 's3cret' });
  });
  after(() => cluster?.stop());

  it('has 3 primaries and a url of its 6 seeds', async () => {
    assert.equal(cluster.nodes.length, 6);
    assert.equal((await cluster.primaries()).length, 3);
    assert.match(cluster.url, /^redis-cluster:\/\/:s3cret@(127\.0\.0\.1:\d+,){5}127\.0\.0\.1:\d+$/);
    assert.ok(cluster.nodes.every((n) => n.port !== 6379));
  });

  it('serves keys of every primary, and fails over a killed primary', async () => {
    const c = new Cluster(cluster.nodes.slice(0, 2), { redisOptions: { password: 's3cret' } });
    try {
      for (let i = 0; i < 30; i++) await c.set(`k${i}`, String(i));
      const owner = await cluster.ownerOf('k1');
      // WAIT counts this connection's writes only: rewrite k1 on it, so the kill loses nothing.
      const first = cluster.client(owner);
      await first.set('k1', '1');
      assert.equal(await first.call('WAIT', '1', '5000'), 1);
      first.disconnect();
      await cluster.kill(owner);
      await cluster.waitHealthy();
      const now = await cluster.ownerOf('k1');
      assert.notEqual(now.port, owner.port);
      const direct = cluster.client(now);
      assert.equal(await direct.get('k1'), '1');
      direct.disconnect();
    } finally {
      c.disconnect();
    }
  });
});
