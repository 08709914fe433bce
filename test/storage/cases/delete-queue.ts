/**
 * QueueStore.deleteQueue cases (contract.ts), run on every backend by conformance.ts: the queue
 * and everything kept for it go; an unknown queue is refused; an enqueue creates it anew.
 */
import assert from 'node:assert/strict';
import type { Cases, ConformingStore } from './context.js';

const EMPTY_METERS = { ready: 0, status: null, policy: null, inflight: 0, delayed: 0, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 };

/** A queue with something of every kind: pending, leased, delayed, soft-read, deduplicated,
 *  settings, policy, status, SQS records and a consumer registration. */
async function fill(store: ConformingStore, q: string): Promise<string> {
  await store.enqueue(q, ['a', 'b', 'c', 'd']);
  await store.enqueue(q, ['later'], { delayMs: 60_000 });
  await store.enqueue(q, ['once'], { dedupId: 'dup-1' });
  await store.enqueueWithMeta(q, 'sqs', '{"id":"m"}');
  const leased = await store.lease(q, 1, 60_000);
  assert.equal(leased.messages.length, 1, 'one message leased');
  await store.softGet(q);
  await store.setSettings(q, { maxAttempts: 3, leaseSeconds: 30 });
  await store.setPolicy(q, 'roundrobin');
  await store.setStatus(q, 'stopped');
  await store.setQueueMeta(q, '{"attributes":{}}');
  await store.registerConsumers(q, ['c1'], 60_000);
  return leased.messages[0]!.receipt;
}

export const DELETE_QUEUE_CASES: Cases = {
  'deleteQueue removes the queue and everything kept for it': async ({ store, queue }) => {
    const q = queue();
    const other = queue();
    await store.enqueue(other, ['stays']);
    await fill(store, q);
    assert.equal(await store.deleteQueue(q), true, 'a known queue is deleted');
    assert.ok(!(await store.listQueues()).includes(q), 'listQueues lacks it');
    assert.deepEqual(await store.info([q]), [{ name: q, length: 0, status: null, policy: null }], 'info shows nothing');
    assert.deepEqual((await store.meters([q]))[0], EMPTY_METERS, 'meters show nothing');
    assert.deepEqual(await store.getSettings(q), {}, 'settings are gone');
    assert.equal(await store.getQueueMeta(q), null, 'the SQS record is gone');
    assert.deepEqual(await store.peek(q, 10), [], 'no message is left');
    await store.reapLeases([q]);
    assert.deepEqual((await store.take(q, 10)).messages, [], 'neither leased nor delayed messages come back');
    assert.ok((await store.listQueues()).includes(other), 'another queue stays');
    assert.deepEqual((await store.take(other, 1)).messages.map((m) => m.value), ['stays']);
  },

  'deleteQueue of an unknown queue is false and changes nothing': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.deleteQueue(q), false);
    assert.equal(await store.deleteQueue(q), false, 'still false');
    assert.ok(!(await store.listQueues()).includes(q), 'not listed');
    await store.enqueue(q, ['x']);
    assert.equal(await store.deleteQueue(q), true);
    assert.equal(await store.deleteQueue(q), false, 'a deleted queue is unknown again');
  },

  'a queue enqueued to after deleteQueue starts anew: counter at 1, old receipts stale, dedup forgotten': async ({ store, queue }) => {
    const q = queue();
    const receipt = await fill(store, q);
    assert.equal(await store.deleteQueue(q), true);
    const [first] = await store.enqueue(q, ['new']);
    assert.equal(first, `${q}:1`, 'the counter restarts');
    assert.ok((await store.listQueues()).includes(q), 'listed again');
    assert.deepEqual((await store.info([q]))[0], { name: q, length: 1, status: 'started', policy: null }, 'default status and policy');
    const [again] = await store.enqueue(q, ['twice'], { dedupId: 'dup-1' });
    assert.equal(again, `${q}:2`, 'a dedup id of before the delete is forgotten');
    // The new q:1 is leased; the receipt of the deleted queue's lease names another token.
    const leased = await store.lease(q, 1, 60_000);
    assert.equal(leased.messages[0]?.key, `${q}:1`);
    assert.equal(await store.ack(q, receipt), 'stale', 'a receipt of before the delete acknowledges nothing');
    assert.equal((await store.meters([q]))[0]!.inflight, 1, 'the new lease is still held');
    assert.equal(await store.ack(q, leased.messages[0]!.receipt), 'ok');
  },

  'a queue that only has streaming consumers registered is known, and they go with it': async ({ store, queue }) => {
    const q = queue();
    await store.registerConsumers(q, ['c1', 'c2'], 60_000);
    assert.equal((await store.meters([q]))[0]!.consumers, 2);
    assert.equal(await store.deleteQueue(q), true);
    assert.equal((await store.meters([q]))[0]!.consumers, 0, 'registrations are gone');
    assert.equal(await store.deleteQueue(q), false);
  },
};
