/**
 * The Sentinel test harness itself: a client following the Sentinels writes to the primary,
 * and after failover() the Sentinels name the other server, which holds the data and takes writes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisSentinel, type RedisSentinel } from '../harness/redis-sentinel.js';

describe('startRedisSentinel', () => {
  let setup: RedisSentinel;
  before(async () => {
    setup = await startRedisSentinel({ password: 'pw' });
  });
  after(() => setup?.stop());

  it('names the primary, and failover() moves it to the replica with the data', async () => {
    assert.match(setup.url, /^redis-sentinel:\/\/:pw@(127\.0\.0\.1:\d+,){2}127\.0\.0\.1:\d+\/mymaster$/);
    const first = await setup.primary();
    assert.equal(first.port, setup.servers[0]!.port);
    const c = new Redis({ sentinels: setup.sentinels, name: setup.masterName, password: 'pw', maxRetriesPerRequest: 3 });
    try {
      await c.set('k', 'v');
      assert.equal(await c.call('WAIT', '1', '5000'), 1);
      const { from, to } = await setup.failover();
      assert.equal(from.port, first.port);
      assert.equal(to.port, setup.servers[1]!.port);
      assert.equal((await setup.replica()).port, first.port);
      const direct = setup.client(to);
      assert.equal(await direct.get('k'), 'v');
      await direct.set('k2', 'v2');
      direct.disconnect();
    } finally {
      c.disconnect();
    }
  });
});
