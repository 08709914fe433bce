/**
 * A private redis-server for the tests around the call: started before them, stopped after
 * (call it at file level or inside a describe). `srv()` is the running server, `open(db)` a new
 * RedisStore on it.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/redis-store.js';
import { startRedis, type RedisServer } from '../harness/redis.js';

/** Starts `start()` before the tests around the call and stops it after; the getter returns it
 *  (and fails, naming `what`, when called before it started). */
export function aroundTests<T extends { stop(): Promise<void> }>(start: () => Promise<T>, what: string): () => T {
  let started: T | undefined;
  before(async () => {
    started = await start();
  });
  after(async () => {
    await started?.stop();
  });
  return () => {
    assert.ok(started, `${what} not started`);
    return started;
  };
}

export function privateRedis(): { srv: () => RedisServer; open: (db?: number) => Promise<RedisStore> } {
  const srv = aroundTests(() => startRedis(), 'redis-server');
  return { srv, open: (db = 0) => openRedisStore({ host: srv().host, port: srv().port, db }) };
}
