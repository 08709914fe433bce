/**
 * A private redis-server for the tests around the call: started before them, stopped after
 * (call it at file level or inside a describe). `srv()` is the running server, `open(db)` a new
 * RedisStore on it.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/redis-store.js';
import { startRedis, type RedisServer } from '../harness/redis.js';

export function privateRedis(): { srv: () => RedisServer; open: (db?: number) => Promise<RedisStore> } {
  let server: RedisServer | undefined;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
  });
  const srv = (): RedisServer => {
    assert.ok(server, 'redis-server not started');
    return server;
  };
  return { srv, open: (db = 0) => openRedisStore({ host: srv().host, port: srv().port, db }) };
}
