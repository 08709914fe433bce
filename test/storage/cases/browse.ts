/**
 * The BrowseStore cases of the conformance suite (browse-contract.ts): a queue's messages by
 * state (ready oldest first, in flight with their lease deadline, delayed with their due
 * time), paged, with attempts and the origin of a dead letter; browsing changes nothing.
 */
import assert from 'node:assert/strict';
import type { Cases } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const near = (at: number | null, expected: number, what: string) =>
  assert.ok(at !== null && Math.abs(at - expected) < 5_000, `${what}: ${String(at)} near ${expected}`);

export const BROWSE_CASES: Cases = {
  'browse pages through ready messages, oldest first': async ({ store, queue }) => {
    const q = queue();
    const keys = await store.enqueue(q, ['1', '2', '3', '4', '5']);
    const first = await store.browse(q, 'ready', 0, 2);
    assert.equal(first.total, 5);
    assert.deepEqual(first.messages, [
      { key: keys[0], value: '1', attempts: 0, at: null, origin: null, receipt: null },
      { key: keys[1], value: '2', attempts: 0, at: null, origin: null, receipt: null },
    ]);
    const last = await store.browse(q, 'ready', 3, 10);
    assert.deepEqual(last.messages.map((m) => m.value), ['4', '5']);
    assert.deepEqual((await store.browse(q, 'ready', 5, 10)).messages, [], 'past the end: none');
    assert.deepEqual(await store.browse(queue(), 'ready', 0, 10), { total: 0, messages: [] }, 'an unknown queue is empty');
  },
  'browse lists in flight with lease deadlines and delayed with due times': async ({ store, queue }) => {
    const q = queue();
    const [, , third] = await store.enqueue(q, ['a', 'b', 'c']);
    const now = Date.now();
    const held = (await store.lease(q, 1, 60_000)).messages[0]!;
    const nacked = (await store.lease(q, 1, 60_000)).messages[0]!;
    assert.equal(await store.nack(q, nacked.receipt, 30_000), 'ok');
    const [later] = await store.enqueue(q, ['d'], { delayMs: 90_000 });
    const counts = async () => (await store.meters([q])).map((m) => ({ ...m, oldestAgeMs: null }));
    const before = await counts();

    const inflight = await store.browse(q, 'inflight', 0, 10);
    assert.equal(inflight.total, 1);
    assert.equal(inflight.messages.length, 1);
    assert.equal(inflight.messages[0]!.key, held.key);
    assert.equal(inflight.messages[0]!.value, 'a');
    assert.equal(inflight.messages[0]!.attempts, 1);
    near(inflight.messages[0]!.at, now + 60_000, 'lease deadline');
    assert.equal(inflight.messages[0]!.receipt, held.receipt, 'the receipt of its lease');

    const delayed = await store.browse(q, 'delayed', 0, 10);
    assert.equal(delayed.total, 2);
    assert.deepEqual(delayed.messages.map((m) => [m.key, m.value, m.attempts, m.receipt]), [[nacked.key, 'b', 1, null], [later, 'd', 0, null]], 'earliest due first');
    near(delayed.messages[0]!.at, now + 30_000, 'due time of the nack');
    near(delayed.messages[1]!.at, now + 90_000, 'due time of the delayed enqueue');
    assert.deepEqual((await store.browse(q, 'delayed', 1, 1)).messages.map((m) => m.value), ['d'], 'paged');

    const ready = await store.browse(q, 'ready', 0, 10);
    assert.deepEqual(ready.messages.map((m) => m.key), [third]);
    assert.deepEqual(await counts(), before, 'browsing changed nothing');
    assert.equal(await store.ack(q, held.receipt), 'ok', 'the lease is still valid');
  },
  'browse shows where a dead letter came from': async ({ store, queue }) => {
    const q = queue();
    await store.setSettings(q, { maxAttempts: 1 });
    const [key] = await store.enqueue(q, ['{"order": 7}']);
    const m = (await store.lease(q, 1, 60_000)).messages[0]!;
    assert.equal(await store.nack(q, m.receipt, 0), 'ok');
    const dead = await store.browse(`${q}.dead`, 'ready', 0, 10);
    assert.equal(dead.total, 1);
    assert.equal(dead.messages[0]!.value, '{"order": 7}');
    assert.equal(dead.messages[0]!.origin, q);
    assert.ok(dead.messages[0]!.key !== undefined && key !== undefined, 'keyed');
  },
  'registeredConsumers lists live registrations with their broker and expiry': async ({ store, queue, register }) => {
    const q = queue();
    assert.deepEqual(await store.registeredConsumers(q), [], 'none yet');
    const before = Date.now();
    await register(q, ['c-1', 'c-2'], 30_000);
    const listed = (await store.registeredConsumers(q)).sort((a, b) => a.consumer.localeCompare(b.consumer));
    assert.deepEqual(listed.map((c) => [c.broker, c.consumer]), [[store.brokerId, 'c-1'], [store.brokerId, 'c-2']]);
    for (const c of listed) near(c.expiresAt, before + 30_000, 'registration expiry');
    await store.unregisterConsumers(q, ['c-1']);
    assert.deepEqual((await store.registeredConsumers(q)).map((c) => c.consumer), ['c-2'], 'unregistered: gone');
  },
  'registeredConsumers joins the reports a broker publishes of its consumers': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, ['c-1', 'c-2'], 30_000);
    const before = Date.now();
    await store.publishConsumerReports(q, [
      { id: 'c-1', transport: 'sse', remote: '10.0.0.7', since: 1_700_000_000_000, leased: true, delivered: 12, prefetch: 10, unacked: 4 },
      { id: 'gone', transport: 'ws', remote: '', since: 1, leased: false, delivered: 1 },
    ], 30_000);
    const listed = (await store.registeredConsumers(q)).sort((a, b) => a.consumer.localeCompare(b.consumer));
    assert.deepEqual(listed.map((c) => c.consumer), ['c-1', 'c-2'], 'a report without a registration lists nothing');
    const { at, ...report } = listed[0]!.report ?? { at: 0 };
    near(at, before, 'when it was reported');
    assert.deepEqual(report, { id: 'c-1', transport: 'sse', remote: '10.0.0.7', since: 1_700_000_000_000, leased: true, delivered: 12, prefetch: 10, unacked: 4 });
    assert.equal(listed[1]!.report, undefined, 'c-2 was not reported');
    await store.publishConsumerReports(q, [{ id: 'c-2', transport: 'ws', remote: '', since: 5, leased: false, delivered: 3 }], 30_000);
    const again = (await store.registeredConsumers(q)).sort((a, b) => a.consumer.localeCompare(b.consumer));
    assert.deepEqual(again.map((c) => c.report?.delivered), [undefined, 3], 'a report replaces the previous one');
    await store.publishConsumerReports(q, [], 30_000);
    assert.deepEqual((await store.registeredConsumers(q)).map((c) => c.report), [undefined, undefined], 'an empty report clears them');
  },
  'a consumer report lapses with its TTL, its registration stays': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, ['c-1'], 60_000);
    await store.publishConsumerReports(q, [{ id: 'c-1', transport: 'sse', remote: '', since: 1, leased: false, delivered: 5 }], 300);
    assert.equal((await store.registeredConsumers(q))[0]?.report?.delivered, 5, 'reported');
    await waitUntil('the report to lapse', async () => (await store.registeredConsumers(q))[0]?.report === undefined, 5000);
    assert.deepEqual((await store.registeredConsumers(q)).map((c) => c.consumer), ['c-1'], 'still registered');
  },
  'another store instance on the backend reads the reports of this one\'s consumers': async ({ store, open, queue }) => {
    const q = queue();
    const other = await open();
    try {
      await other.registerConsumers(q, ['theirs'], 60_000);
      await other.publishConsumerReports(q, [{ id: 'theirs', transport: 'ws', remote: '10.1.1.1', since: 2, leased: true, delivered: 9, prefetch: 10, unacked: 3 }], 60_000);
      const [c] = await store.registeredConsumers(q);
      assert.ok(c, 'listed');
      assert.deepEqual([c.broker, c.consumer, c.report?.delivered, c.report?.unacked], [other.brokerId, 'theirs', 9, 3]);
      assert.notEqual(c.broker, store.brokerId);
      await other.unregisterConsumers(q, ['theirs']);
      await other.publishConsumerReports(q, [], 60_000);
    } finally {
      await other.close();
    }
  },
};
