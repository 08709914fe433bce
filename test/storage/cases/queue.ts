/**
 * The QueueStore cases of the conformance suite (test/storage/conformance.ts runs them on every
 * backend, Hono's `runTest` shape). Backend-neutral: only the store contracts are used.
 */
import assert from 'node:assert/strict';
import { isBrokerError } from '../../../src/errors.js';
import { QueueService } from '../../../src/core/queue-service.js';
import { Activity } from '../../../src/core/activity.js';
import { Distributor } from '../../../src/core/distributor.js';
import { LongPoll } from '../../../src/core/long-poll.js';
import type { Message } from '../../../src/wire.js';
import { delayedOf, waitUntil, type Cases, type ConformingStore } from './context.js';

const values = (ms: Message[]) => ms.map((m) => m.value);
const keysOf = (ms: Message[]) => ms.map((m) => m.key);

async function takeAll(store: ConformingStore, q: string, chunk: number): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const r = await store.take(q, chunk);
    if (r.messages.length === 0) return out;
    out.push(...r.messages);
  }
}

/** Concurrent takers over `stores` (round-robin); every message must come out exactly once. */
async function raceTakers(stores: ConformingStore[], q: string, total: number, workers: number): Promise<void> {
  const sent = Array.from({ length: total }, (_, i) => `m${i}`);
  await stores[0]!.enqueue(q, sent);
  const got: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const s = stores[w % stores.length]!;
      for (;;) {
        const r = await s.take(q, 1);
        if (r.messages.length === 0) return;
        got.push(...values(r.messages));
      }
    }),
  );
  assert.equal(new Set(got).size, got.length, 'a message was handed out twice');
  assert.deepEqual([...got].sort(), [...sent].sort());
}

/** Makes due delayed messages visible where the store needs a reaper for it (Redis). */
async function reap(store: ConformingStore, q: string): Promise<void> {
  await store.reapLeases([q]);
}

const lengthOf = async (store: ConformingStore, q: string) => (await store.info([q]))[0]!.length;

export const QUEUE_CASES: Cases = {
  'a delayed message is invisible until due, then taken in FIFO order': async ({ store, queue }) => {
    const q = queue();
    const delayMs = 300;
    const t0 = Date.now();
    const [late] = await store.enqueue(q, ['late'], { delayMs });
    const [now] = await store.enqueue(q, ['now']);
    assert.equal(late, `${q}:1`);
    assert.equal(now, `${q}:2`);
    await reap(store, q);
    const peeked = values(await store.peek(q, 10));
    const length = await lengthOf(store, q);
    const soft = await store.softGet(q);
    const taken = await store.take(q, 10);
    const after = await store.take(q, 10);
    const peekedAfter = await store.peek(q, 10);
    const lengthAfter = await lengthOf(store, q);
    const delayed = await delayedOf(store, q);
    // Only meaningful before the delay is over (a very slow run skips them rather than flake).
    if (Date.now() - t0 < delayMs) {
      assert.deepEqual(peeked, ['now'], 'peek skips the delayed message');
      assert.equal(length, 1, 'length does not count the delayed message');
      assert.equal(soft?.value, 'now', 'softGet skips the delayed message');
      assert.deepEqual(values(taken.messages), ['now'], 'take skips the delayed message');
      assert.deepEqual(after.messages, [], 'nothing else is visible yet');
      assert.deepEqual(peekedAfter, [], 'peek shows nothing yet');
      assert.equal(lengthAfter, 0, 'length is 0 while the message is delayed');
      assert.equal(delayed, 1, 'counted as delayed');
    }
    await waitUntil(async () => {
      await reap(store, q);
      return (await store.peek(q, 1)).length > 0;
    }, 5000, 'the delayed message to become visible');
    assert.ok(Date.now() - t0 >= delayMs - 20, 'visible only once due');
    assert.equal(await lengthOf(store, q), 1, 'length counts it once due');
    assert.equal(await delayedOf(store, q), 0, 'no longer delayed');
    const [later] = await store.enqueue(q, ['after']);
    const r = await store.take(q, 10);
    assert.deepEqual(keysOf(r.messages), [late, later], 'due message first, then what was enqueued after it became visible');
    assert.deepEqual(values(r.messages), ['late', 'after']);
  },
  'a delayed batch becomes visible in order and purge drops delayed messages': async ({ store, queue }) => {
    const q = queue();
    const keys = await store.enqueue(q, ['d1', 'd2', 'd3'], { delayMs: 150 });
    assert.deepEqual(keys, [`${q}:1`, `${q}:2`, `${q}:3`]);
    await waitUntil(async () => {
      await reap(store, q);
      return (await lengthOf(store, q)) === 3;
    }, 5000, 'the delayed batch to become visible');
    assert.deepEqual(values((await store.take(q, 10)).messages), ['d1', 'd2', 'd3']);
    await store.enqueue(q, ['gone'], { delayMs: 200 });
    await store.purge(q);
    await new Promise((r) => setTimeout(r, 250));
    await reap(store, q);
    assert.deepEqual((await store.take(q, 10)).messages, [], 'a purged delayed message never shows up');
    assert.equal(await delayedOf(store, q), 0, 'purge clears delayed');
  },
  'dedup returns the first key for a repeated id and enqueues once': async ({ store, queue }) => {
    const q = queue();
    const q2 = queue();
    const [first] = await store.enqueue(q, ['x'], { dedupId: 'order-1' });
    assert.equal(first, `${q}:1`);
    assert.deepEqual(await store.enqueue(q, ['y'], { dedupId: 'order-1' }), [first], 'same id: the first key');
    assert.deepEqual(await store.enqueue(q, ['x'], { dedupId: 'order-1' }), [first], 'again: the first key');
    assert.equal(await lengthOf(store, q), 1, 'one message');
    assert.deepEqual(values(await store.peek(q, 10)), ['x']);
    assert.deepEqual(await store.enqueue(q, ['z'], { dedupId: 'order-2' }), [`${q}:2`], 'another id enqueues');
    assert.deepEqual(await store.enqueue(q, ['w']), [`${q}:3`], 'no id enqueues');
    assert.deepEqual(await store.enqueue(q2, ['x'], { dedupId: 'order-1' }), [`${q2}:1`], 'another queue enqueues');
    assert.deepEqual(values((await store.take(q, 10)).messages), ['x', 'z', 'w']);
    assert.deepEqual(await store.enqueue(q, ['x'], { dedupId: 'order-1' }), [first], 'still the first key once consumed');
    assert.equal(await lengthOf(store, q), 0, 'and nothing enqueued');
    assert.deepEqual(values((await store.take(q2, 10)).messages), ['x']);
  },
  'dedup works with ttl and with delay': async ({ store, queue }) => {
    const q = queue();
    const [k] = await store.enqueue(q, ['t'], { ttlSeconds: 1, dedupId: 'a' });
    assert.deepEqual(await store.enqueue(q, ['t'], { ttlSeconds: 1, dedupId: 'a' }), [k]);
    assert.equal(await lengthOf(store, q), 1, 'one message');
    await waitUntil(async () => (await store.peek(q, 1)).length === 0, 5000, 'the message to expire');
    assert.deepEqual(await store.enqueue(q, ['t'], { ttlSeconds: 1, dedupId: 'a' }), [k], 'expired body, same id: first key');
    assert.deepEqual((await store.take(q, 10)).messages, [], 'nothing enqueued');
    const [d] = await store.enqueue(q, ['d'], { delayMs: 100, dedupId: 'b' });
    assert.deepEqual(await store.enqueue(q, ['d'], { delayMs: 100, dedupId: 'b' }), [d], 'delayed and deduplicated');
    await waitUntil(async () => {
      await reap(store, q);
      return (await store.peek(q, 1)).length > 0;
    }, 5000, 'the delayed message to become visible');
    const r = await store.take(q, 10);
    assert.deepEqual(keysOf(r.messages), [d], 'one delayed message');
  },
  // The core refuses it before the store is called (core/enqueue-options.ts): checked here over
  // each backend, through the service as every protocol reaches the store.
  'dedup on a batch of more than one value is refused': async ({ store, queue }) => {
    const q = queue();
    const activity = new Activity();
    const log = { warn: () => {} };
    const service = new QueueService(store, { maxMessageBytes: 1024 }, { activity, longPoll: new LongPoll(store, log, activity), streams: new Distributor(store, log, activity) });
    await assert.rejects(service.add(q, ['a', 'b'], { dedupId: 'batch' }),
      (err: unknown) => isBrokerError(err) && err.code === 'INVALID_BATCH');
    assert.deepEqual(await store.peek(q, 10), [], 'nothing enqueued');
    assert.deepEqual(await store.enqueue(q, ['a'], { dedupId: 'batch' }), [`${q}:1`], 'a single value dedups');
  },
  'FIFO order over many messages': async ({ store, queue }) => {
    const q = queue();
    const sent = Array.from({ length: 500 }, (_, i) => `v${i}`);
    for (let i = 0; i < 400; i += 100) await store.enqueue(q, sent.slice(i, i + 100));
    for (const v of sent.slice(400)) await store.enqueue(q, [v]);
    assert.deepEqual(values(await takeAll(store, q, 7)), sent);
  },
  'keys are <q>:1, <q>:2 ... and the counter continues after purge': async ({ store, queue }) => {
    const q = queue();
    assert.deepEqual(await store.enqueue(q, ['a', 'b', 'c']), [`${q}:1`, `${q}:2`, `${q}:3`]);
    assert.deepEqual(await store.enqueue(q, ['d']), [`${q}:4`]);
    assert.equal(await store.purge(q), true);
    assert.deepEqual(await store.enqueue(q, ['e']), [`${q}:5`]);
    const r = await store.take(q, 1);
    assert.deepEqual(r.messages, [{ key: `${q}:5`, value: 'e' }]);
  },
  'take(count) returns up to count, oldest first, with their keys': async ({ store, queue }) => {
    const q = queue();
    const ks = await store.enqueue(q, ['1', '2', '3', '4', '5']);
    const a = await store.take(q, 3);
    assert.deepEqual(a, { stopped: false, expired: 0, messages: [0, 1, 2].map((i) => ({ key: ks[i]!, value: String(i + 1) })) });
    assert.deepEqual(values((await store.take(q, 10)).messages), ['4', '5']);
    assert.deepEqual(await store.take(q, 1), { stopped: false, expired: 0, messages: [] });
  },
  'take on an empty or unknown queue returns no messages': async ({ store, queue }) => {
    assert.deepEqual(await store.take(queue(), 5), { stopped: false, expired: 0, messages: [] });
  },
  'concurrent takers never get the same message': async ({ store, queue }) => {
    await raceTakers([store], queue(), 200, 20);
  },
  'two store instances on one backend share messages exactly once': async ({ store, open, queue }) => {
    const second = await open();
    try {
      await raceTakers([store, second], queue(), 200, 20);
    } finally {
      await second.close();
    }
  },
  'an expired message is skipped and counted, the next one is returned': async ({ store, queue }) => {
    const q = queue();
    const [k1] = await store.enqueue(q, ['short-lived'], { ttlSeconds: 1 });
    const [k2] = await store.enqueue(q, ['kept']);
    assert.deepEqual(keysOf(await store.peek(q, 1)), [k1]);
    await waitUntil(async () => keysOf(await store.peek(q, 1))[0] === k2, 5000, 'the ttl to pass');
    const r = await store.take(q, 1);
    assert.deepEqual(r, { stopped: false, expired: 1, messages: [{ key: k2!, value: 'kept' }] });
    assert.equal(await store.softGet(q), null);
  },
  'softGet skips an expired head': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['gone'], { ttlSeconds: 1 });
    const [k2] = await store.enqueue(q, ['next']);
    await waitUntil(async () => keysOf(await store.peek(q, 1))[0] === k2, 5000, 'the ttl to pass');
    assert.deepEqual(await store.softGet(q), { key: k2, value: 'next', count: 1 });
    const [info] = await store.info([q]);
    assert.equal(info?.length, 1, 'softGet drops the expired entry');
  },
  'purge deletes everything, keeps policy, status and registration': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.purge(q), false, 'nothing to purge on a fresh queue');
    await store.enqueue(q, ['a', 'b']);
    await store.setPolicy(q, 'roundrobin');
    await store.setStatus(q, 'stopped');
    await store.softGet(q);
    assert.equal(await store.purge(q), true);
    assert.equal(await store.purge(q), false, 'second purge finds nothing');
    assert.deepEqual(await store.info([q]), [{ name: q, length: 0, status: 'stopped', policy: 'roundrobin' }]);
    await store.setStatus(q, 'started');
    assert.deepEqual(await store.take(q, 10), { stopped: false, expired: 0, messages: [] });
    assert.equal(await store.softGet(q), null);
    assert.ok((await store.listQueues()).includes(q), 'purge keeps the registration');
    assert.deepEqual(await store.enqueue(q, ['c']), [`${q}:3`]);
  },
  'length and info count pending messages, in the order asked': async ({ store, queue }) => {
    const [a, b, fresh] = [queue(), queue(), queue()];
    await store.enqueue(a, ['1', '2', '3']);
    await store.enqueue(b, ['1']);
    await store.setStatus(b, 'stopped');
    await store.setStatus(a, 'started');
    await store.setPolicy(a, 'broadcast');
    await store.take(a, 1);
    assert.deepEqual(await store.info([fresh, b, a]), [
      { name: fresh, length: 0, status: null, policy: null },
      { name: b, length: 1, status: 'stopped', policy: null },
      { name: a, length: 2, status: 'started', policy: 'broadcast' },
    ]);
    assert.deepEqual(await store.info([]), []);
  },
  'listQueues has enqueued queues, sorted, not policy/status-only ones': async ({ store, queue }) => {
    const [a, b, c] = [queue(), queue(), queue()];
    await store.enqueue(a, ['x']);
    await store.enqueue(b, ['x']);
    await store.take(b, 1);
    await store.setPolicy(c, 'roundrobin');
    await store.setStatus(c, 'stopped');
    const list = await store.listQueues();
    assert.ok(list.includes(a) && list.includes(b), 'enqueued queues are listed, even when emptied');
    assert.ok(!list.includes(c), 'setPolicy/setStatus do not register a queue');
    assert.deepEqual(list, [...list].sort());
  },
  'policy is null by default and set/get round-trips': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.getPolicy(q), null);
    await store.setPolicy(q, 'roundrobin');
    assert.equal(await store.getPolicy(q), 'roundrobin');
    await store.setPolicy(q, 'broadcast');
    assert.equal(await store.getPolicy(q), 'broadcast');
  },
  'status is null by default; stopped blocks take, started resumes': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.getStatus(q), null);
    await store.setStatus(q, 'stopped');
    const [k] = await store.enqueue(q, ['held']);
    assert.equal(await store.getStatus(q), 'stopped', 'enqueue does not restart a stopped queue');
    assert.deepEqual(await store.take(q, 5), { stopped: true, expired: 0, messages: [] });
    assert.equal((await store.info([q]))[0]?.length, 1, 'a stopped take takes nothing');
    await store.setStatus(q, 'started');
    assert.equal(await store.getStatus(q), 'started');
    assert.deepEqual(await store.take(q, 5), { stopped: false, expired: 0, messages: [{ key: k!, value: 'held' }] });
  },
  'enqueue stores status started on a queue without one': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['x']);
    assert.equal(await store.getStatus(q), 'started');
  },
  'softGet returns the oldest without removing it and counts reads': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.softGet(q), null);
    const [k1] = await store.enqueue(q, ['first', 'second']);
    for (const n of [1, 2, 3]) assert.deepEqual(await store.softGet(q), { key: k1, value: 'first', count: n });
    assert.equal((await store.info([q]))[0]?.length, 2);
    assert.deepEqual(values((await store.take(q, 1)).messages), ['first']);
    assert.equal((await store.softGet(q))?.count, 1, 'the next message has its own count');
  },
  'remove deletes one message from the middle; false when missing': async ({ store, queue }) => {
    const q = queue();
    const [k1, k2, k3] = await store.enqueue(q, ['a', 'b', 'c']);
    assert.equal(await store.remove(q, k2!), true);
    assert.equal(await store.remove(q, k2!), false);
    assert.equal(await store.remove(q, `${q}:999`), false);
    assert.equal((await store.info([q]))[0]?.length, 2);
    assert.deepEqual(await store.take(q, 5), {
      stopped: false, expired: 0, messages: [{ key: k1!, value: 'a' }, { key: k3!, value: 'c' }],
    });
  },
  'peek returns the oldest first without consuming or counting': async ({ store, queue }) => {
    const q = queue();
    assert.deepEqual(await store.peek(q, 3), []);
    const [k1, k2, k3] = await store.enqueue(q, ['a', 'b', 'c']);
    assert.deepEqual(await store.peek(q, 2), [{ key: k1, value: 'a' }, { key: k2, value: 'b' }]);
    assert.deepEqual(keysOf(await store.peek(q, 10)), [k1, k2, k3]);
    assert.equal((await store.info([q]))[0]?.length, 3);
    assert.equal((await store.softGet(q))?.count, 1, 'peek does not count as a soft read');
    assert.deepEqual(values((await store.take(q, 1)).messages), ['a']);
  },
  'values are byte-exact UTF-8 strings': async ({ store, queue }) => {
    const q = queue();
    const MiB = 1024 * 1024;
    const big = 'ünï😀'.repeat(Math.floor(MiB / 9)) + 'x'.repeat(MiB % 9); // 9 UTF-8 bytes a unit
    assert.equal(Buffer.byteLength(big), MiB);
    const sent = ['😀 emoji 漢字', 'line\r\nbreak\r\n', '  leading and trailing  ', '{"a":[1,2,{"b":null}]}',
      '007', '1e3', 'null', 'true', '\t', big];
    await store.enqueue(q, sent);
    assert.deepEqual(values(await store.peek(q, sent.length)), sent);
    const got = values(await takeAll(store, q, 3));
    assert.equal(got.length, sent.length);
    got.forEach((v, i) => assert.ok(v === sent[i], `value ${i} changed`));
    assert.equal(typeof got[4], 'string');
  },
  'ping resolves on an open store': async ({ store }) => {
    await store.ping();
  },
  // Closes the case's own store (no second one open at a time, for single-owner backends),
  // then reopens it: close must also release whatever would block the next open.
  'close is idempotent': async (ctx) => {
    await ctx.store.close();
    await ctx.store.close();
    await ctx.reopen();
    await ctx.store.ping();
    const q = ctx.queue();
    await ctx.store.enqueue(q, ['after reopen']);
    assert.deepEqual(values((await ctx.store.take(q, 1)).messages), ['after reopen']);
  },
};
