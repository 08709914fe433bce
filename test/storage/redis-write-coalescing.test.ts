/**
 * src/storage/redis/write-coalescing.ts against a private redis-server: the commands of one
 * event-loop turn leave in one corked write, every reply still reaches its own command in
 * order, nothing waits past the turn, and a reconnect (Redis restarted) does not leave the new
 * socket corked.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { waitUntil } from '../harness/wait.js';
import { coalesceWrites } from '../../src/storage/redis/write-coalescing.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('redis write coalescing', () => {
  let server: RedisServer;
  let redis: Redis;

  before(async () => {
    server = await startRedis({ appendonly: true, appendfsync: 'always' });
    redis = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    coalesceWrites(redis);
    await redis.connect();
  });

  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('corks the socket for the rest of the turn and uncorks it in setImmediate', async () => {
    const key = `k-${randomUUID()}`;
    const p = redis.incr(key);
    assert.equal(redis.stream.writableCorked, 1, 'the first command of a turn corks the socket');
    const q = redis.incr(key);
    assert.equal(redis.stream.writableCorked, 1, 'later commands of the same turn do not cork it again');
    await turn();
    assert.equal(redis.stream.writableCorked, 0, 'uncorked once the turn is over');
    assert.deepEqual(await Promise.all([p, q]), [1, 2], 'both commands answered, in order');
  });

  it('answers every command of a busy turn with its own reply, in order', async () => {
    const key = `k-${randomUUID()}`;
    const replies = await Promise.all(Array.from({ length: 500 }, () => redis.incr(key)));
    assert.deepEqual(
      replies,
      Array.from({ length: 500 }, (_, i) => i + 1),
      'INCR replies 1..500 in the order sent',
    );
  });

  it('keeps working after Redis restarts (a new socket is corked and uncorked too)', async () => {
    const key = `k-${randomUUID()}`;
    await redis.set(key, '41');
    // Counted, not events.once: that rejects on the 'error' (ECONNREFUSED) of a reconnect tried
    // before the restarted server listens, which a loaded machine makes likely. Counting from
    // before the restart tells the new connection from the old one, whose status is 'ready' too.
    let readies = 0;
    const onReady = () => readies++;
    redis.on('ready', onReady);
    await server.restart();
    await waitUntil('the client to reconnect', () => readies > 0 && redis.status === 'ready', 30_000);
    redis.off('ready', onReady);
    assert.equal(redis.stream.writableCorked, 0, 'the new socket starts uncorked');
    const [a, b] = await Promise.all([redis.incr(key), redis.incr(key)]);
    assert.deepEqual([a, b], [42, 43], 'commands after the reconnect are answered (appendonly kept the value)');
    await turn();
    assert.equal(redis.stream.writableCorked, 0, 'and the socket is uncorked after their turn');
  });
});
