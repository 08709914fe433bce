/**
 * A message's time to live across the ways it goes back to its queue (SPEC section 6: the
 * clock starts at the enqueue): a nack, a lease that ends, a stream that hands it back (before
 * or after its inbox item is acknowledged), a take whose client left (a GET or a long poll gives
 * back what `take` reported, with its `expiresAt`). Each case enqueues with a 2 s TTL, sends the
 * message back after about 1 s, then checks it is still there, and gone soon after 2 s: a
 * message given a fresh life would live to 3 s, one that lost its TTL forever.
 */
import assert from 'node:assert/strict';
import type { Cases, ConformingStore } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const TTL_S = 2;
const LONG = 60_000;
/** Past the expiry, short of a fresh life's (the send-back happens at ~1 s). */
const GONE_BY_MS = TTL_S * 1000 + 600;

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const keysOf = (ms: readonly { key: string }[]) => ms.map((m) => m.key);

/** `key` is back and ready, then gone (dropped, never handed out) by GONE_BY_MS after t0. */
async function backThenGone(store: ConformingStore, q: string, key: string, t0: number): Promise<void> {
  assert.deepEqual(keysOf(await store.peek(q, 5)), [key], 'the message is back in its queue');
  await sleepUntil(t0 + GONE_BY_MS);
  assert.deepEqual(await store.peek(q, 5), [], 'the message expired at its original time (no fresh life, TTL kept)');
  const r = await store.take(q, 5);
  assert.deepEqual(r.messages, [], 'an expired message is never handed out');
}

async function enqueueShortLived(store: ConformingStore, q: string): Promise<{ key: string; t0: number }> {
  const t0 = Date.now();
  const [key] = await store.enqueue(q, ['short-lived'], { ttlSeconds: TTL_S });
  return { key: key!, t0 };
}

async function streamed(store: ConformingStore, q: string, register: (q: string, ids: readonly string[]) => Promise<void>, key: string) {
  await register(q, ['c1']);
  const r = await store.dispatch(q, 5, 5);
  assert.deepEqual(keysOf(r.inbox), [key], 'dispatched into the inbox');
  return r.inbox;
}

export const TTL_CASES: Cases = {
  'a nacked message keeps the expiry of its enqueue': async ({ store, queue }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    const [m] = (await store.lease(q, 1, LONG)).messages;
    assert.equal(m?.key, key);
    await sleepUntil(t0 + 1000);
    assert.equal(await store.nack(q, m.receipt, 0), 'ok');
    await backThenGone(store, q, key, t0);
  },
  'a message whose lease ended keeps the expiry of its enqueue': async ({ store, queue }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    assert.equal((await store.lease(q, 1, 900)).messages[0]?.key, key);
    let returned = 0;
    await waitUntil('the lease to be reaped', async () => (returned += (await store.reapLeases([q])).returned) >= 1, 3000);
    assert.ok(Date.now() < t0 + TTL_S * 1000 - 300, 'reaped well before the expiry');
    await backThenGone(store, q, key, t0);
  },
  'a message a stream hands back (inbox item still there) keeps the expiry of its enqueue': async ({ store, queue, register }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    const inbox = await streamed(store, q, register, key);
    await sleepUntil(t0 + 1000);
    await store.requeue(q, inbox);
    await store.ackInbox(inbox.length);
    await backThenGone(store, q, key, t0);
  },
  'a message a stream hands back after acknowledging its inbox item keeps the expiry of its enqueue': async ({ store, queue, register }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    const inbox = await streamed(store, q, register, key);
    await store.ackInbox(inbox.length);
    await sleepUntil(t0 + 1000);
    await store.requeue(q, inbox);
    await backThenGone(store, q, key, t0);
  },
  'a message in the inbox of a broker that is gone keeps the expiry of its enqueue': async ({ store, queue, register, reopen }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    await streamed(store, q, register, key);
    await store.heartbeat(50); // a backend with several brokers reaps this one soon after
    await sleepUntil(t0 + 1000);
    const s = await reopen();
    await waitUntil('the inbox to return to its queue', async () => {
      await s.reap();
      return keysOf(await s.peek(q, 5)).includes(key);
    }, 1000);
    await backThenGone(s, q, key, t0);
  },
  'a taken message given back (its client left) keeps the expiry of its enqueue': async ({ store, queue }) => {
    const q = queue();
    const { key, t0 } = await enqueueShortLived(store, q);
    const r = await store.take(q, 5);
    assert.deepEqual(keysOf(r.messages), [key]);
    const at = r.messages[0]!.expiresAt;
    // The store's clock (Redis TIME or Date.now()) is this machine's: within a few hundred ms.
    assert.ok(at !== undefined && Math.abs(at - (t0 + TTL_S * 1000)) < 500, `take reports the expiry of the enqueue (got ${at}, enqueued at ${t0})`);
    await sleepUntil(t0 + 1000);
    await store.requeue(q, r.messages);
    await backThenGone(store, q, key, t0);
  },
  'a taken message without a TTL reports none, and given back still never expires': async ({ store, queue }) => {
    const q = queue();
    const [key] = await store.enqueue(q, ['kept']);
    const r = await store.take(q, 5);
    assert.deepEqual(r.messages, [{ key: key!, value: 'kept' }], 'no expiresAt at all when there is no TTL');
    await store.requeue(q, r.messages);
    assert.deepEqual(keysOf((await store.take(q, 5)).messages), [key]);
  },
  'a message without a TTL handed back by a stream still never expires': async ({ store, queue, register }) => {
    const q = queue();
    const [key] = await store.enqueue(q, ['kept']);
    const inbox = await streamed(store, q, register, key!);
    await store.ackInbox(inbox.length);
    await store.requeue(q, inbox);
    assert.deepEqual(keysOf((await store.take(q, 5)).messages), [key]);
  },
};
