/**
 * The StreamStore cases of the conformance suite. Each case has a store of its own, so a fresh
 * broker with an empty inbox; the reopen case relies on `reopen` reaching the same data.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Delivery, StoreEvent } from '../../../src/storage/stream-contract.js';
import type { Message } from '../../../src/wire.js';
import { consumersOf, type Cases, type ConformingStore } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const keysOf = (ms: readonly Message[]) => ms.map((m) => m.key);
const valuesOf = (ms: readonly Message[]) => ms.map((m) => m.value);
const consumerIds = (n: number) => Array.from({ length: n }, () => `c-${randomUUID()}`);

/** Every field of an inbox item, `consumer` made explicit, for exact comparisons. */
const shape = (d: Delivery) => ({ queue: d.queue, key: d.key, value: d.value, consumer: d.consumer, copies: d.copies });
const expected = (queue: string, keys: readonly string[], values: readonly string[], consumer?: string) =>
  keys.map((key, i) => ({ queue, key, value: values[i], consumer, copies: 1 }));

/** Records a subscription's events; `next` resolves on the first matching one (no polling). */
async function listen(store: ConformingStore) {
  const events: StoreEvent[] = [];
  const waiters: { match: (e: StoreEvent) => boolean; resolve: (e: StoreEvent) => void }[] = [];
  const off = await store.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const next = (match: (e: StoreEvent) => boolean, what: string, timeoutMs = 5000): Promise<StoreEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} event within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  };
  return { events, next, off };
}

export const STREAM_CASES: Cases = {
  'dispatch with no registered consumer moves nothing and messages wait': async ({ store, queue, register }) => {
    const [q, other] = [queue(), queue()];
    const keys = await store.enqueue(q, ['a', 'b']);
    await register(other, consumerIds(1)); // a consumer of another queue does not count
    assert.deepEqual(await store.dispatch(q, 10, 10), { dispatched: 0, inbox: [] });
    assert.deepEqual(keysOf(await store.peek(q, 10)), keys);
    assert.deepEqual(await store.readInbox(10), []);
  },
  'broadcast puts each message once into this inbox, consumer undefined, FIFO': async ({ store, queue, register }) => {
    const [q1, q2] = [queue(), queue()];
    await store.setPolicy(q2, 'broadcast'); // q1 has no stored policy: broadcast too
    await register(q1, consumerIds(2));
    await register(q2, consumerIds(2));
    const k1 = await store.enqueue(q1, ['a', 'b', 'c']);
    const k2 = await store.enqueue(q2, ['x', 'y']);
    assert.deepEqual(await store.dispatch(q1, 10, 0), { dispatched: 3, inbox: [] });
    const r = await store.dispatch(q2, 10, 10);
    assert.equal(r.dispatched, 2);
    assert.deepEqual(r.inbox.map(shape), [...expected(q1, k1, ['a', 'b', 'c']), ...expected(q2, k2, ['x', 'y'])]);
    assert.ok(r.inbox.every((d) => !('consumer' in d) || d.consumer === undefined));
    assert.deepEqual((await store.info([q1, q2])).map((i) => i.length), [0, 0], 'dispatched messages left the queues');
    await store.ackInbox(5);
  },
  'dispatch moves at most count, oldest first; the rest waits': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    const keys = await store.enqueue(q, ['1', '2', '3', '4', '5']);
    const a = await store.dispatch(q, 2, 10);
    assert.equal(a.dispatched, 2);
    assert.deepEqual(keysOf(a.inbox), keys.slice(0, 2));
    assert.deepEqual(keysOf(await store.peek(q, 10)), keys.slice(2));
    const b = await store.dispatch(q, 10, 10);
    assert.equal(b.dispatched, 3);
    assert.deepEqual(keysOf(b.inbox), keys);
    assert.deepEqual(await store.dispatch(q, 10, 0), { dispatched: 0, inbox: [] });
    await store.ackInbox(5);
  },
  'roundrobin assigns in strict rotation over 3 consumers, FIFO, across dispatches': async ({ store, queue, register }) => {
    const q = queue();
    const ids = consumerIds(3);
    await store.setPolicy(q, 'roundrobin');
    await register(q, ids);
    const values = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const keys = await store.enqueue(q, values);
    assert.equal((await store.dispatch(q, 5, 0)).dispatched, 5);
    const r = await store.dispatch(q, 10, 10);
    assert.equal(r.dispatched, 3);
    assert.deepEqual(keysOf(r.inbox), keys);
    assert.deepEqual(valuesOf(r.inbox), values);
    assert.ok(r.inbox.every((d) => d.copies === 1 && d.queue === q));
    const order = r.inbox.map((d) => d.consumer);
    assert.deepEqual([...order.slice(0, 3)].sort(), [...ids].sort(), 'the first turn gives each consumer one');
    order.forEach((c, i) => assert.equal(c, order[i % 3], `message ${i} broke the rotation: ${order.join(',')}`));
    await store.ackInbox(8);
    // The cursor outlives the inbox: the next messages continue the rotation.
    await store.enqueue(q, ['n0', 'n1']);
    const more = await store.dispatch(q, 10, 10);
    assert.deepEqual(more.inbox.map((d) => d.consumer), [order[8 % 3], order[9 % 3]]);
    await store.ackInbox(2);
  },
  'roundrobin never assigns to an unregistered consumer': async ({ store, queue, register }) => {
    const q = queue();
    const [a, b, c] = consumerIds(3) as [string, string, string];
    await store.setPolicy(q, 'roundrobin');
    await register(q, [a, b, c]);
    await store.unregisterConsumers(q, [b]);
    await store.enqueue(q, ['1', '2', '3', '4']);
    const order = (await store.dispatch(q, 10, 10)).inbox.map((d) => d.consumer);
    assert.equal(order.length, 4);
    assert.ok(!order.includes(b), 'b was unregistered');
    assert.deepEqual([...new Set(order)].sort(), [a, c].sort());
    order.forEach((x, i) => assert.equal(x, order[i % 2], `not alternating: ${order.join(',')}`));
    await store.ackInbox(4);
  },
  'a stopped queue dispatches nothing; started again, it dispatches': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    await store.setStatus(q, 'stopped');
    const keys = await store.enqueue(q, ['a', 'b']);
    assert.deepEqual(await store.dispatch(q, 10, 10), { dispatched: 0, inbox: [] });
    assert.equal((await store.info([q]))[0]?.length, 2);
    await store.setStatus(q, 'started');
    const r = await store.dispatch(q, 10, 10);
    assert.equal(r.dispatched, 2);
    assert.deepEqual(keysOf(r.inbox), keys);
    await store.ackInbox(2);
  },
  'expired messages are skipped and dropped; dispatch goes on to count live ones': async ({ store, queue, register }) => {
    const q = queue();
    const ids = consumerIds(3);
    await store.setPolicy(q, 'roundrobin');
    const [ka] = await store.enqueue(q, ['a']);
    const gone = await store.enqueue(q, ['gone1', 'gone2'], { ttlSeconds: 1 });
    const [kb, kc] = await store.enqueue(q, ['b', 'c', 'd']);
    assert.deepEqual(keysOf(await store.peek(q, 2)), [ka, gone[0]]);
    await waitUntil('the ttl to pass', async () => keysOf(await store.peek(q, 2))[1] === kb, 5000);
    await register(q, ids);
    // The oldest 3 hold 2 expired ones: the dispatch must go on past them, rotation unbroken.
    const r = await store.dispatch(q, 3, 10);
    assert.equal(r.dispatched, 3);
    assert.deepEqual(keysOf(r.inbox), [ka, kb, kc]);
    assert.deepEqual(r.inbox.map((d) => d.consumer).sort(), [...ids].sort(), 'one message per consumer');
    assert.equal((await store.info([q]))[0]?.length, 1, 'the expired entries were dropped, d waits');
    await store.ackInbox(3);
  },
  'readInbox is oldest first and does not remove; ackInbox(n) removes exactly the n oldest': async ({ store, queue, register }) => {
    const [q1, q2] = [queue(), queue()];
    await register(q1, consumerIds(1));
    await register(q2, consumerIds(1));
    const k1 = await store.enqueue(q1, ['a', 'b', 'c']);
    const k2 = await store.enqueue(q2, ['d']);
    await store.dispatch(q1, 10, 0);
    await store.dispatch(q2, 10, 0);
    const all = [...k1, ...k2];
    assert.deepEqual(keysOf(await store.readInbox(2)), all.slice(0, 2));
    assert.deepEqual(keysOf(await store.readInbox(10)), all);
    assert.deepEqual(keysOf(await store.readInbox(10)), all, 'reading twice removes nothing');
    await store.ackInbox(1);
    assert.deepEqual(keysOf(await store.readInbox(10)), all.slice(1));
    await store.ackInbox(2);
    assert.deepEqual((await store.readInbox(10)).map(shape), expected(q2, k2, ['d']));
    const [k3] = await store.enqueue(q1, ['e']);
    await store.dispatch(q1, 10, 0);
    assert.deepEqual(keysOf(await store.readInbox(10)), [k2[0], k3], 'new items go after the old ones');
    await store.ackInbox(2);
    assert.deepEqual(await store.readInbox(10), []);
  },
  'requeue puts messages back at the front in FIFO order; take returns them first': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    const values = ['a', 'b', 'c', 'd', 'e'];
    const keys = await store.enqueue(q, values);
    const r = await store.dispatch(q, 3, 10);
    assert.deepEqual(keysOf(r.inbox), keys.slice(0, 3));
    await store.ackInbox(3);
    const [k6] = await store.enqueue(q, ['f']);
    await store.requeue(q, r.inbox.slice(1).map((d) => ({ key: d.key, value: d.value }))); // 'a' was written
    const t = await store.take(q, 10);
    assert.deepEqual(t.messages, [
      ...[1, 2, 3, 4].map((i) => ({ key: keys[i]!, value: values[i]! })),
      { key: k6!, value: 'f' },
    ]);
  },
  'a refreshed registration expires after its ttl, then dispatch moves nothing': async ({ store, queue, register }) => {
    const q = queue();
    const [id] = consumerIds(1) as [string];
    await register(q, [id]);
    assert.deepEqual(await consumersOf(store, [q]), [1]);
    await store.registerConsumers(q, [id], 50); // a refresh sets the new ttl
    await waitUntil('the registration to expire', async () => (await consumersOf(store, [q]))[0] === 0, 5000);
    const keys = await store.enqueue(q, ['waits']);
    assert.deepEqual(await store.dispatch(q, 10, 10), { dispatched: 0, inbox: [] });
    assert.deepEqual(keysOf(await store.peek(q, 10)), keys);
  },
  'unregistering the last consumer stops dispatch': async ({ store, queue, register }) => {
    const q = queue();
    const ids = consumerIds(2);
    await register(q, ids);
    await store.unregisterConsumers(q, ids);
    assert.deepEqual(await consumersOf(store, [q]), [0]);
    await store.enqueue(q, ['waits']);
    assert.deepEqual(await store.dispatch(q, 10, 10), { dispatched: 0, inbox: [] });
    assert.equal((await store.info([q]))[0]?.length, 1);
  },
  'meters count live consumers per queue, in the order asked': async ({ store, queue, register }) => {
    const [q1, q2, q3] = [queue(), queue(), queue()];
    const [a, b, c] = consumerIds(3) as [string, string, string];
    await register(q1, [a, b, c]);
    await register(q2, [a]);
    assert.deepEqual(await consumersOf(store, [q3, q1, q2]), [0, 3, 1]);
    await register(q1, [a]);
    assert.deepEqual(await consumersOf(store, [q1]), [3], 'a refresh does not count twice');
    await store.unregisterConsumers(q1, [b, `c-${randomUUID()}`]);
    assert.deepEqual(await consumersOf(store, [q1, q2]), [2, 1]);
    assert.deepEqual(await consumersOf(store, []), []);
  },
  'subscribe receives enqueued after an enqueue to a queue with a consumer': async ({ store, queue, register }) => {
    const q = queue();
    const sub = await listen(store);
    try {
      await register(q, consumerIds(1));
      await store.enqueue(q, ['x']);
      assert.deepEqual(await sub.next((e) => e.type === 'enqueued' && e.queue === q, 'enqueued'), { type: 'enqueued', queue: q });
    } finally {
      await sub.off();
    }
  },
  'a quiet requeue announces nothing; a plain one announces enqueued': async ({ store, queue, register }) => {
    const q = queue();
    const sub = await listen(store);
    try {
      await register(q, consumerIds(1));
      await store.enqueue(q, ['a', 'b']);
      const r = await store.dispatch(q, 2, 10);
      await store.ackInbox(2);
      await store.requeue(q, r.inbox.slice(0, 1).map((d) => ({ key: d.key, value: d.value })), { quiet: true });
      await store.requeue(q, r.inbox.slice(1).map((d) => ({ key: d.key, value: d.value })));
      // Events of one queue arrive in order: once this marker is in, every earlier one is.
      await store.publish({ type: 'started', queue: q });
      await sub.next((e) => e.type === 'started' && e.queue === q, 'started');
      const enqueued = sub.events.filter((e) => e.type === 'enqueued' && e.queue === q).length;
      assert.equal(enqueued, 2, 'the enqueue and the plain requeue announce; the quiet requeue does not');
      assert.deepEqual(keysOf(await store.peek(q, 10)).sort(), keysOf(r.inbox).sort(), 'both are back');
    } finally {
      await sub.off();
    }
  },
  'subscribers receive published closed, started and wake events; unsubscribe stops them': async ({ store, queue }) => {
    const [q, marker] = [queue(), queue()];
    const [a, b] = [await listen(store), await listen(store)];
    try {
      const sent: StoreEvent[] = [
        { type: 'closed', queue: q }, { type: 'started', queue: q }, { type: 'wake', broker: store.brokerId },
      ];
      for (const e of sent) await store.publish(e);
      for (const sub of [a, b]) {
        for (const e of sent) assert.deepEqual(await sub.next((x) => JSON.stringify(x) === JSON.stringify(e), e.type), e);
      }
      await a.off();
      const before = a.events.length;
      await store.publish({ type: 'closed', queue: marker });
      await b.next((e) => e.type === 'closed' && e.queue === marker, 'marker');
      assert.equal(a.events.length, before, 'an unsubscribed listener got an event');
    } finally {
      await a.off();
      await b.off();
    }
  },
  'a dispatched, unacknowledged message survives closing and reopening the store': async ({ store, reopen, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    const keys = await store.enqueue(q, ['in-inbox', 'in-queue']);
    assert.deepEqual(keysOf((await store.dispatch(q, 1, 10)).inbox), keys.slice(0, 1));
    await store.heartbeat(50); // a backend with several brokers may reap this one soon after
    const s = await reopen();
    assert.deepEqual(await s.readInbox(10), [], 'a new broker starts with an empty inbox');
    await waitUntil('the unacknowledged message to return to its queue', async () => {
      await s.reap();
      return keysOf(await s.peek(q, 10)).includes(keys[0]!);
    }, 10_000);
    assert.deepEqual((await s.take(q, 10)).messages, [{ key: keys[0]!, value: 'in-inbox' }, { key: keys[1]!, value: 'in-queue' }]);
  },
};
