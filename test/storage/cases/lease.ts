/**
 * The LeaseStore cases of the conformance suite (reliable delivery, lease-contract.ts, SPEC.md
 * section 6). Expiry is never asserted after a fixed sleep: the cases poll `reapLeases` with a
 * bounded wait (waitUntil).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LeasedMessage } from '../../../src/storage/lease-contract.js';
import type { Message } from '../../../src/wire.js';
import { inflightOf, type Cases, type ConformingStore } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const LONG = 60_000;
const SHORT = 100;
const valuesOf = (ms: readonly Message[]) => ms.map((m) => m.value);
const keysOf = (ms: readonly Message[]) => ms.map((m) => m.key);
const attemptsOf = (ms: readonly LeasedMessage[]) => ms.map((m) => m.attempts);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls reapLeases(queues) until it has returned (or dead-lettered) `want` messages in all. */
async function reapUntil(store: ConformingStore, queues: readonly string[] | undefined, want: { returned?: number; dead?: number }): Promise<void> {
  let returned = 0;
  let dead = 0;
  await waitUntil(`reapLeases to return ${JSON.stringify(want)}`, async () => {
    const r = await store.reapLeases(queues);
    returned += r.returned;
    dead += r.dead;
    return returned >= (want.returned ?? 0) && dead >= (want.dead ?? 0);
  }, 5000);
}

async function leaseOne(store: ConformingStore, q: string, leaseMs: number): Promise<LeasedMessage> {
  const r = await store.lease(q, 1, leaseMs);
  assert.equal(r.messages.length, 1, `expected one message leased from ${q}`);
  return r.messages[0]!;
}

async function length(store: ConformingStore, q: string): Promise<number> {
  return (await store.info([q]))[0]!.length;
}

export const LEASE_CASES: Cases = {
  'lease returns the oldest messages with receipts <n>.<token> and attempts 1': async ({ store, queue }) => {
    const q = queue();
    const keys = await store.enqueue(q, ['a', 'b', 'c']);
    const r = await store.lease(q, 2, LONG);
    assert.equal(r.stopped, false);
    assert.equal(r.expired, 0);
    assert.deepEqual(keysOf(r.messages), keys.slice(0, 2));
    assert.deepEqual(valuesOf(r.messages), ['a', 'b']);
    assert.deepEqual(attemptsOf(r.messages), [1, 1]);
    for (const m of r.messages) {
      const n = m.key.slice(q.length + 1);
      assert.ok(m.receipt.startsWith(`${n}.`), `receipt ${m.receipt} should start with ${n}.`);
      assert.ok(m.receipt.length > n.length + 1, `receipt ${m.receipt} should carry a token`);
    }
    assert.notEqual(r.messages[0]!.receipt, r.messages[1]!.receipt);
  },
  'leased messages are hidden from take, lease, peek, softGet and length and counted inflight': async ({ store, queue }) => {
    const q = queue();
    const other = queue();
    const [ka, kb] = await store.enqueue(q, ['a', 'b']);
    assert.deepEqual(await inflightOf(store, [q, other]), [0, 0]);
    const a = await leaseOne(store, q, LONG);
    assert.equal(a.key, ka);
    assert.deepEqual(keysOf(await store.peek(q, 10)), [kb]);
    assert.equal((await store.softGet(q))?.key, kb);
    assert.equal(await length(store, q), 1);
    assert.deepEqual(await inflightOf(store, [q, other]), [1, 0]);
    const b = await leaseOne(store, q, LONG);
    assert.equal(b.key, kb);
    assert.deepEqual((await store.lease(q, 5, LONG)).messages, []);
    assert.deepEqual((await store.take(q, 5)).messages, []);
    assert.deepEqual(await store.peek(q, 10), []);
    assert.equal(await store.softGet(q), null);
    assert.equal(await length(store, q), 0);
    assert.deepEqual(await inflightOf(store, [other, q]), [0, 2]);
  },
  'ack removes the message for good and a second ack is stale': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, 300);
    assert.equal(await store.ack(q, a.receipt), 'ok');
    assert.equal(await store.ack(q, a.receipt), 'stale');
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    await sleep(400); // past the lease it had: an acked message must not come back
    await store.reapLeases([q]);
    assert.deepEqual(valuesOf((await store.take(q, 5)).messages), ['b']);
  },
  'a made-up or old receipt is stale for ack, nack and extend': async ({ store, queue }) => {
    const q = queue();
    const other = queue();
    await store.enqueue(q, ['a']);
    await store.enqueue(other, ['x']);
    const first = await leaseOne(store, q, LONG);
    const n = first.key.slice(q.length + 1);
    const madeUp = ['', 'nonsense', `${n}`, `${n}.`, `${n}.not-the-token`, `999999.${first.receipt.slice(n.length + 1)}`, `0.x`, `-1.x`];
    for (const r of madeUp) {
      assert.equal(await store.ack(q, r), 'stale', `ack ${JSON.stringify(r)}`);
      assert.equal(await store.nack(q, r, 0), 'stale', `nack ${JSON.stringify(r)}`);
      assert.equal(await store.extend(q, r, LONG), 'stale', `extend ${JSON.stringify(r)}`);
    }
    // A receipt of this queue is no receipt of another one.
    assert.equal(await store.ack(other, first.receipt), 'stale');
    assert.deepEqual(await inflightOf(store, [q]), [1], 'the real lease is untouched');
    // Once nacked, the first lease's receipt is old, also when the message is leased again.
    assert.equal(await store.nack(q, first.receipt, 0), 'ok');
    assert.equal(await store.nack(q, first.receipt, 0), 'stale');
    const second = await leaseOne(store, q, LONG);
    assert.equal(second.key, first.key);
    assert.notEqual(second.receipt, first.receipt);
    assert.equal(await store.extend(q, first.receipt, LONG), 'stale');
    assert.equal(await store.nack(q, first.receipt, 0), 'stale');
    assert.equal(await store.ack(q, first.receipt), 'stale');
    assert.equal(await store.ack(q, second.receipt), 'ok');
  },
  'an expired lease returns the message to the front with attempts 2; its receipt is stale': async ({ store, queue }) => {
    const q = queue();
    const [ka] = await store.enqueue(q, ['a']);
    const a = await leaseOne(store, q, SHORT);
    const [kb] = await store.enqueue(q, ['b']);
    await reapUntil(store, [q], { returned: 1 });
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    assert.equal(await length(store, q), 2);
    assert.deepEqual(keysOf(await store.peek(q, 5)), [ka, kb], 'back at the front');
    const r = await store.lease(q, 2, LONG);
    assert.deepEqual(keysOf(r.messages), [ka, kb]);
    assert.deepEqual(valuesOf(r.messages), ['a', 'b']);
    assert.deepEqual(attemptsOf(r.messages), [2, 1]);
    for (const stale of [store.ack(q, a.receipt), store.nack(q, a.receipt, 0), store.extend(q, a.receipt, LONG)]) {
      assert.equal(await stale, 'stale');
    }
    assert.equal(await store.ack(q, r.messages[0]!.receipt), 'ok');
  },
  'a receipt is stale once its lease has run out, even before any reap': async ({ store, queue }) => {
    const q = queue();
    const [ka] = await store.enqueue(q, ['a']);
    const a = await leaseOne(store, q, SHORT);
    await sleep(SHORT + 200); // well past the deadline; staleness cannot be early, only late
    assert.equal(await store.ack(q, a.receipt), 'stale', 'ack after the lease ended');
    assert.equal(await store.extend(q, a.receipt, LONG), 'stale', 'extend after the lease ended');
    assert.equal(await store.nack(q, a.receipt, 0), 'stale', 'nack after the lease ended');
    await reapUntil(store, [q], { returned: 1 });
    const again = await leaseOne(store, q, LONG);
    assert.deepEqual([again.key, again.attempts], [ka, 2]);
  },
  'an expired lease is taken before newer messages': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['a', 'b']);
    await leaseOne(store, q, SHORT);
    await store.enqueue(q, ['c']);
    await reapUntil(store, [q], { returned: 1 });
    assert.deepEqual(valuesOf((await store.take(q, 5)).messages), ['a', 'b', 'c']);
  },
  'nack returns the message to the front at once': async ({ store, queue }) => {
    const q = queue();
    const [ka, kb] = await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, LONG);
    assert.equal(await store.nack(q, a.receipt, 0), 'ok');
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    const r = await store.lease(q, 2, LONG);
    assert.deepEqual(keysOf(r.messages), [ka, kb]);
    assert.deepEqual(attemptsOf(r.messages), [2, 1], 'nack keeps attempts; the next lease counts');
  },
  'nack with a delay hides the message until the delay has passed': async ({ store, queue }) => {
    const q = queue();
    const [ka, kb] = await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, LONG);
    const delay = 400;
    const nackedAt = Date.now();
    assert.equal(await store.nack(q, a.receipt, delay), 'ok');
    assert.equal(await store.ack(q, a.receipt), 'stale');
    assert.deepEqual(keysOf(await store.peek(q, 5)), [kb], 'the delayed message is not visible');
    const b = await leaseOne(store, q, LONG);
    assert.equal(b.key, kb);
    assert.deepEqual((await store.take(q, 5)).messages, []);
    let again: LeasedMessage | undefined;
    await waitUntil('the nack delay to pass', async () => {
      again = (await store.lease(q, 1, LONG)).messages[0];
      return again !== undefined;
    }, 5000);
    assert.ok(Date.now() - nackedAt >= delay - 50, `visible again after ${Date.now() - nackedAt} ms, before the ${delay} ms delay`);
    assert.equal(again!.key, ka);
    assert.equal(again!.attempts, 2);
  },
  'extend pushes the deadline: an extended lease survives a reap that expires the original': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, 300);
    const b = await leaseOne(store, q, 300); // the control: same lease, not extended, ends after a's
    assert.equal(await store.extend(q, a.receipt, LONG), 'ok');
    await reapUntil(store, [q], { returned: 1 });
    assert.deepEqual(await inflightOf(store, [q]), [1], 'the extended lease is still held');
    assert.deepEqual(valuesOf(await store.peek(q, 5)), ['b']);
    assert.equal(await store.extend(q, b.receipt, LONG), 'stale');
    assert.equal(await store.ack(q, a.receipt), 'ok', 'the receipt survives extend');
  },
  'concurrent leases never hand one message out twice': async ({ store, queue }) => {
    const q = queue();
    const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
    await store.enqueue(q, sent);
    const got: LeasedMessage[] = [];
    await Promise.all(Array.from({ length: 20 }, async (_, w) => {
      for (;;) {
        const r = await store.lease(q, 1 + (w % 3), LONG);
        if (r.messages.length === 0) return;
        got.push(...r.messages);
      }
    }));
    const keys = keysOf(got);
    assert.equal(new Set(keys).size, keys.length, 'a message was leased twice');
    assert.deepEqual(valuesOf(got).sort(), [...sent].sort());
    assert.equal(new Set(got.map((m) => m.receipt)).size, got.length, 'receipts are unique');
    assert.deepEqual(await inflightOf(store, [q]), [100]);
  },
  'lease(count) hands out batches in order': async ({ store, queue }) => {
    const q = queue();
    const keys = await store.enqueue(q, Array.from({ length: 10 }, (_, i) => `v${i}`));
    const first = await store.lease(q, 4, LONG);
    assert.deepEqual(keysOf(first.messages), keys.slice(0, 4));
    const rest = await store.lease(q, 100, LONG);
    assert.deepEqual(keysOf(rest.messages), keys.slice(4));
    assert.deepEqual((await store.lease(q, 5, LONG)).messages, []);
    assert.deepEqual(await inflightOf(store, [q]), [10]);
  },
  'a stopped queue leases nothing': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['a']);
    await store.setStatus(q, 'stopped');
    assert.deepEqual(await store.lease(q, 5, LONG), { messages: [], stopped: true, expired: 0 });
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    await store.setStatus(q, 'started');
    assert.deepEqual(valuesOf((await store.lease(q, 5, LONG)).messages), ['a']);
  },
  'lease skips and counts expired (ttl) bodies': async ({ store, queue }) => {
    const q = queue();
    const [k1] = await store.enqueue(q, ['short-lived'], { ttlSeconds: 1 });
    const [k2] = await store.enqueue(q, ['kept']);
    assert.deepEqual(keysOf(await store.peek(q, 1)), [k1]);
    await waitUntil('the ttl to pass', async () => keysOf(await store.peek(q, 1))[0] === k2, 5000);
    const r = await store.lease(q, 5, LONG);
    assert.equal(r.expired, 1);
    assert.deepEqual(keysOf(r.messages), [k2]);
    assert.deepEqual(await inflightOf(store, [q]), [1]);
  },
  'maxAttempts: expired leases dead-letter to <q>.dead, a normal queue, and redrive moves back': async ({ store, queue }) => {
    const q = queue();
    const dead = `${q}.dead`;
    await store.setSettings(q, { maxAttempts: 2 });
    await store.enqueue(q, ['a', 'b', 'c']);
    assert.deepEqual(attemptsOf((await store.lease(q, 3, SHORT)).messages), [1, 1, 1]);
    await reapUntil(store, [q], { returned: 3 });
    assert.deepEqual(attemptsOf((await store.lease(q, 3, SHORT)).messages), [2, 2, 2]);
    await reapUntil(store, [q], { dead: 3 });
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    assert.deepEqual((await store.lease(q, 5, LONG)).messages, []);
    assert.equal(await length(store, q), 0);
    assert.equal(await length(store, dead), 3);
    assert.deepEqual(valuesOf(await store.peek(dead, 5)), ['a', 'b', 'c']);
    assert.ok((await store.listQueues()).includes(dead), 'the dead-letter queue is registered');
    const taken = await store.take(dead, 1);
    assert.deepEqual(valuesOf(taken.messages), ['a']);
    assert.ok(taken.messages[0]!.key.startsWith(`${dead}:`), `a key of the dead queue: ${taken.messages[0]!.key}`);
    assert.equal(await store.redrive(dead), 2);
    assert.equal(await length(store, dead), 0);
    assert.equal(await store.redrive(dead), 0);
    const back = await store.lease(q, 5, LONG);
    assert.deepEqual(valuesOf(back.messages), ['b', 'c']);
  },
  'maxAttempts: nack of the last attempt dead-letters to a custom deadLetter queue': async ({ store, queue, track }) => {
    const q = queue();
    const custom = track(`dl-${randomUUID()}`);
    await store.setSettings(q, { maxAttempts: 1, deadLetter: custom });
    await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, LONG);
    assert.equal(await store.nack(q, a.receipt, 0), 'ok');
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    assert.deepEqual(valuesOf(await store.peek(custom, 5)), ['a']);
    assert.equal(await length(store, `${q}.dead`), 0);
    const b = await leaseOne(store, q, SHORT);
    assert.equal(b.value, 'b');
    await reapUntil(store, [q], { dead: 1 });
    assert.deepEqual(valuesOf(await store.peek(custom, 5)), ['a', 'b']);
    assert.equal(await store.redrive(custom), 2);
    assert.deepEqual(valuesOf((await store.take(q, 5)).messages), ['a', 'b']);
  },
  'redrive to a destination moves every message there, in order, with its SQS metadata': async ({ store, queue, track }) => {
    const q = queue();
    const other = queue();
    const dest = track(`${q}-dest`);
    await store.setSettings(q, { maxAttempts: 1 });
    await store.enqueueWithMeta(q, 'a', '{"id":"a"}');
    await store.enqueue(q, ['b']);
    await store.enqueue(`${q}.dead`, ['c']);
    await store.setSettings(other, { maxAttempts: 1, deadLetter: `${q}.dead` });
    await store.enqueue(other, ['d']);
    for (const source of [q, q, other]) {
      const m = await leaseOne(store, source, LONG);
      assert.equal(await store.nack(source, m.receipt, 0), 'ok');
    }
    assert.deepEqual(valuesOf(await store.peek(`${q}.dead`, 5)), ['c', 'a', 'b', 'd']);
    assert.equal(await store.redrive(`${q}.dead`, dest), 4);
    const moved = await store.peek(dest, 5);
    assert.deepEqual(valuesOf(moved), ['c', 'a', 'b', 'd']);
    assert.deepEqual(await store.messageMeta(dest, [moved[1]!.key]), ['{"id":"a"}']);
    assert.equal(await length(store, q) + await length(store, other) + await length(store, `${q}.dead`), 0);
  },
  'settings round trip; absent fields are undefined': async ({ store, queue }) => {
    const q = queue();
    const fresh = await store.getSettings(q);
    assert.equal(fresh.leaseSeconds, undefined);
    assert.equal(fresh.maxAttempts, undefined);
    assert.equal(fresh.deadLetter, undefined);
    await store.setSettings(q, { maxAttempts: 4 });
    const one = await store.getSettings(q);
    assert.equal(one.maxAttempts, 4);
    assert.equal(one.leaseSeconds, undefined);
    assert.equal(one.deadLetter, undefined);
    await store.setSettings(q, { leaseSeconds: 30, maxAttempts: 5, deadLetter: `${q}.graveyard` });
    const all = await store.getSettings(q);
    assert.equal(all.leaseSeconds, 30);
    assert.equal(all.maxAttempts, 5);
    assert.equal(all.deadLetter, `${q}.graveyard`);
  },
  'purge also drops leased messages': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['a', 'b']);
    const a = await leaseOne(store, q, SHORT);
    assert.equal(await store.purge(q), true);
    assert.deepEqual(await inflightOf(store, [q]), [0]);
    assert.equal(await store.ack(q, a.receipt), 'stale');
    await sleep(SHORT * 2); // past the lease it had: a purged message must not come back
    await store.reapLeases([q]);
    assert.deepEqual((await store.take(q, 5)).messages, []);
    assert.equal(await length(store, q), 0);
  },
  'reapLeases with no arguments covers every queue with leases': async ({ store, queue }) => {
    const q1 = queue();
    const q2 = queue();
    await store.enqueue(q1, ['one']);
    await store.enqueue(q2, ['two']);
    await leaseOne(store, q1, SHORT);
    await leaseOne(store, q2, SHORT);
    await waitUntil('reapLeases() to return both leases', async () => {
      await store.reapLeases();
      const counts = await inflightOf(store, [q1, q2]);
      return counts[0] === 0 && counts[1] === 0;
    }, 5000);
    assert.deepEqual(valuesOf(await store.peek(q1, 5)), ['one']);
    assert.deepEqual(valuesOf(await store.peek(q2, 5)), ['two']);
  },
};
