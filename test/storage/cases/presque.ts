/**
 * The PresqueStore cases of the conformance suite (presque-contract.ts): presque's counters,
 * worker registry and uniq tokens live in the store, so a second store instance on the same
 * backend (another broker, or the same one after a restart) sees them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Cases } from './context.js';

const worker = () => `w-${randomUUID()}`;

export const PRESQUE_CASES: Cases = {
  'fetched and failed count per queue; counters start at 0 and a purge clears them': async ({ store, queue }) => {
    const [q, other] = [queue(), queue()];
    assert.deepEqual(await store.presque.counters(q), { processed: 0, failed: 0 });
    await store.presque.fetched(q, [`${q}:1`, `${q}:2`]);
    await store.presque.fetched(q, [`${q}:3`]);
    await store.presque.fetched(q, []);
    await store.presque.failed(q);
    assert.deepEqual(await store.presque.counters(q), { processed: 3, failed: 1 });
    assert.deepEqual(await store.presque.counters(other), { processed: 0, failed: 0 });
    await store.presque.purged(q);
    assert.deepEqual(await store.presque.counters(q), { processed: 0, failed: 0 });
  },
  'workers: register, credit only while registered, re-register resets, leave the last queue to go': async ({ store, queue }) => {
    const [q1, q2] = [queue(), queue()];
    const [w1, w2] = [worker(), worker()].sort() as [string, string];
    assert.equal(await store.presque.worker(w1), null);
    await store.presque.fetched(q1, [`${q1}:1`], w1);
    assert.equal(await store.presque.worker(w1), null, 'an unregistered worker is not credited');
    await store.presque.register(w1, q1);
    await store.presque.register(w1, q2);
    await store.presque.register(w2, q2);
    assert.deepEqual(await store.presque.workers(q1), [w1]);
    assert.deepEqual(await store.presque.workers(q2), [w1, w2]);
    const all = await store.presque.workers();
    assert.ok(all.includes(w1) && all.includes(w2), 'every worker is listed');
    await store.presque.fetched(q1, [`${q1}:2`, `${q1}:3`], w1);
    await store.presque.failed(q1, w1);
    assert.deepEqual(await store.presque.worker(w1), { processed: 2, failed: 1 });
    assert.deepEqual(await store.presque.worker(w2), { processed: 0, failed: 0 });
    await store.presque.register(w1, q1);
    assert.deepEqual(await store.presque.worker(w1), { processed: 0, failed: 0 }, 'registering again resets');
    await store.presque.unregister(w1, q1);
    assert.deepEqual(await store.presque.workers(q1), []);
    assert.ok(await store.presque.worker(w1), 'still on q2');
    await store.presque.unregister(w1, q2);
    await store.presque.unregister(w2, q2);
    assert.equal(await store.presque.worker(w1), null);
    assert.deepEqual(await store.presque.workers(q2), []);
    const left = await store.presque.workers();
    assert.ok(!left.includes(w1) && !left.includes(w2), 'gone from the list');
  },
  'uniq: one claim per token; the fetch of its job frees it, a purge frees every token': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.presque.claimUniq(q, 'u'), true);
    assert.equal(await store.presque.claimUniq(q, 'u'), false, 'held while its job is enqueued');
    const [key] = await store.enqueue(q, ['job']);
    await store.presque.bindUniq(q, 'u', key!);
    assert.equal(await store.presque.claimUniq(q, 'u'), false, 'held while its job waits');
    assert.equal(await store.presque.claimUniq(queue(), 'u'), true, 'tokens belong to a queue');
    await store.presque.fetched(q, [`${q}:999`]);
    assert.equal(await store.presque.claimUniq(q, 'u'), false, 'another job fetched: still held');
    await store.take(q, 1);
    await store.presque.fetched(q, [key!]);
    assert.equal(await store.presque.claimUniq(q, 'u'), true, 'freed by the fetch');
    assert.equal(await store.presque.claimUniq(q, 'v'), true);
    await store.presque.purged(q);
    assert.equal(await store.presque.claimUniq(q, 'v'), true, 'freed by the purge');
  },
  'uniq: a token whose job is gone before it is tied is freed; a dropped claim is freed': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.presque.claimUniq(q, 'u'), true);
    const [key] = await store.enqueue(q, ['job']);
    await store.take(q, 1);
    await store.presque.fetched(q, [key!]);
    await store.presque.bindUniq(q, 'u', key!);
    assert.equal(await store.presque.claimUniq(q, 'u'), true, 'the job was fetched before the tie');
    await store.presque.dropUniq(q, 'u');
    assert.equal(await store.presque.claimUniq(q, 'u'), true, 'the enqueue failed: freed');
  },
  'uniq: a token whose job left another way (a plain take) is free again': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.presque.claimUniq(q, 'u'), true);
    const [key] = await store.enqueue(q, ['job']);
    await store.presque.bindUniq(q, 'u', key!);
    const leased = (await store.lease(q, 1, 60_000)).messages[0];
    assert.equal(await store.presque.claimUniq(q, 'u'), false, 'held while its job is leased');
    assert.equal(await store.ack(q, leased!.receipt), 'ok');
    assert.equal(await store.presque.claimUniq(q, 'u'), true, 'the job is gone: free');
    assert.equal(await store.presque.claimUniq(q, 'u'), false, 'held by the new claim');
  },
  'counters, workers and tokens survive reopening the store': async ({ queue, reopen }) => {
    const q = queue();
    const w = worker();
    let store = await reopen();
    await store.presque.register(w, q);
    await store.presque.fetched(q, [`${q}:1`], w);
    await store.presque.failed(q, w);
    assert.equal(await store.presque.claimUniq(q, 'u'), true);
    store = await reopen();
    assert.deepEqual(await store.presque.counters(q), { processed: 1, failed: 1 });
    assert.deepEqual(await store.presque.workers(q), [w]);
    assert.deepEqual(await store.presque.worker(w), { processed: 1, failed: 1 });
    assert.equal(await store.presque.claimUniq(q, 'u'), false);
    await store.presque.unregister(w, q);
    await store.presque.purged(q);
  },
};
