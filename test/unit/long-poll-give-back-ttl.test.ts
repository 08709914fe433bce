/**
 * A long poll whose waiter leaves (client gone, or its wait ended) while its take is in flight
 * gives the taken message back to its queue (core/long-poll.ts giveBack). The message keeps
 * the TTL of its enqueue: it is back at once, and gone when its TTL ends, not given a fresh
 * (on Redis: endless) life. Over real stores (SQLite :memory: and a private redis-server); to
 * make the race certain, the store the LongPoll sees aborts the waiter right after its real
 * take has taken the message, before LongPoll looks at the waiter again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { LongPoll } from '../../src/core/long-poll.js';
import { Activity } from '../../src/core/activity.js';
import type { BrokerStore } from '../../src/core/distributor.js';
import type { TakeResult } from '../../src/storage/contract.js';
import { privateRedis } from '../storage/private-redis.js';
import { waitUntil } from '../harness/wait.js';

const TTL_S = 2;
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** `store`, except that a take which takes something first calls `onTaken`. */
function withHook(store: BrokerStore, onTaken: () => void): BrokerStore {
  return new Proxy(store, {
    get(target, name) {
      if (name === 'take') {
        return async (queue: string, count: number): Promise<TakeResult> => {
          const r = await target.take(queue, count);
          if (r.messages.length > 0) onTaken();
          return r;
        };
      }
      const v: unknown = Reflect.get(target, name, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function waiterLeavesDuringTake(store: BrokerStore, q: string): Promise<void> {
  const left = new AbortController();
  const poll = new LongPoll(withHook(store, () => left.abort()), { warn: () => {} }, new Activity(), 50);
  await poll.start();
  try {
    const waiting = poll.take(q, 1, 30_000, undefined, left.signal);
    await waitUntil('the poll to wait', () => poll.waitingByQueue().get(q) === 1);
    const t0 = Date.now();
    const [key] = await store.enqueue(q, ['short-lived'], { ttlSeconds: TTL_S });
    assert.deepEqual((await waiting).messages, [], 'the waiter left empty-handed');
    await waitUntil('the message to be given back', async () => (await store.peek(q, 5)).some((m) => m.key === key), 1500);
    assert.ok(Date.now() < t0 + TTL_S * 1000 - 300, 'given back well before its expiry');
    // A fresh life would last until t0 + 2 s + the give-back's delay; no TTL: forever.
    await sleepUntil(t0 + TTL_S * 1000 + 200);
    assert.deepEqual(await store.peek(q, 5), [], 'gone when the TTL of its enqueue ended');
    assert.deepEqual((await store.take(q, 5)).messages, [], 'never handed out after its expiry');
  } finally {
    await poll.stop();
  }
}

describe('long poll give-back keeps the TTL: sqlite', () => {
  it('a message taken for a waiter that left goes back with the expiry of its enqueue', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      await waiterLeavesDuringTake(store, 'lp-ttl');
    } finally {
      await store.close();
    }
  });
});

describe('long poll give-back keeps the TTL: redis', () => {
  const redis = privateRedis();
  it('a message taken for a waiter that left goes back with the expiry of its enqueue', async () => {
    const store = await redis.open();
    try {
      await waiterLeavesDuringTake(store, 'lp-ttl');
    } finally {
      await store.close();
    }
  });
});
