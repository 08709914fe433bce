/**
 * The MeterStore cases of the conformance suite (meter-contract.ts): the overview's counts in
 * one read, the age of the oldest ready message, and dead letters counted on every path that
 * makes one (nack at the last attempt, the reaper, a lease reaping its own queue).
 */
import assert from 'node:assert/strict';
import type { QueueMeters } from '../../../src/storage/meter-contract.js';
import { type Cases, type ConformingStore } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const one = async (store: ConformingStore, queue: string): Promise<QueueMeters> => (await store.meters([queue]))[0]!;

export const METER_CASES: Cases = {
  'reads counts, status and policy of many queues in the order asked': async ({ store, queue }) => {
    const [a, b, none] = [queue(), queue(), queue()];
    await store.enqueue(a, ['1', '2', '3']);
    await store.enqueue(b, ['x'], { delayMs: 60_000 });
    await store.setStatus(b, 'stopped');
    await store.setPolicy(b, 'roundrobin');
    await store.lease(a, 1, 60_000);
    const [ma, mb, mn] = await store.meters([a, b, none]);
    assert.deepEqual({ ...ma, oldestAgeMs: null }, { ready: 2, status: 'started', policy: null, inflight: 1, delayed: 0, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
    assert.deepEqual(mb, { ready: 0, status: 'stopped', policy: 'roundrobin', inflight: 0, delayed: 1, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
    assert.deepEqual(mn, { ready: 0, status: null, policy: null, inflight: 0, delayed: 0, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
    assert.deepEqual(await store.meters([]), []);
  },
  'dates the oldest ready message; none once nothing is ready': async ({ store, queue }) => {
    const q = queue();
    const before = Date.now();
    await store.enqueue(q, ['a', 'b']);
    const age = (await one(store, q)).oldestAgeMs;
    assert.ok(age !== null && age >= 0 && age <= Date.now() - before + 1000, `age ${String(age)} ms`);
    await store.take(q, 2);
    assert.equal((await one(store, q)).oldestAgeMs, null, 'empty: no age');
    await store.enqueue(q, ['c']);
    const m = (await store.lease(q, 1, 60_000)).messages[0]!;
    assert.equal((await one(store, q)).oldestAgeMs, null, 'leased is not ready');
    assert.equal(await store.nack(q, m.receipt, 0), 'ok');
    assert.notEqual((await one(store, q)).oldestAgeMs, null, 'back from a lease: dated again');
  },
  'counts dead letters from a nack, the reaper and a lease reaping its own queue': async ({ store, queue }) => {
    const q = queue();
    await store.setSettings(q, { maxAttempts: 1 });
    await store.enqueue(q, ['by-nack', 'by-reaper', 'by-lease']);
    const [m] = (await store.lease(q, 1, 60_000)).messages;
    assert.equal(await store.nack(q, m!.receipt, 0), 'ok');
    assert.equal((await one(store, q)).deadLettered, 1, 'nack at the last attempt');
    await store.lease(q, 1, 1);
    await waitUntil('the reaper to dead-letter', async () => (await store.reapLeases([q])).dead === 1, 5000);
    assert.equal((await one(store, q)).deadLettered, 2, 'the reaper');
    await store.lease(q, 1, 1);
    // The next lease settles the expired one itself before taking (nothing else is left).
    await waitUntil('a lease to reap its own queue', async () => {
      await store.lease(q, 1, 60_000);
      return (await one(store, q)).deadLettered === 3;
    }, 5000);
    const mine = await one(store, q);
    assert.equal(mine.dead, 3, 'all three in <q>.dead');
    assert.equal((await one(store, `${q}.dead`)).deadLettered, 0, 'counted for the queue they died in');
  },
  'waiting long polls: a report of a broker replaces its last one, lapses after its ttl and is withdrawn by an empty one': async ({ store, queue }) => {
    const [a, b, none] = [queue(), queue(), queue()];
    assert.deepEqual(await store.pollsWaiting([a, b, none]), [0, 0, 0]);
    await store.reportPolls(new Map([[a, 2], [b, 1]]), 60_000);
    assert.deepEqual(await store.pollsWaiting([a, b, none]), [2, 1, 0]);
    await store.reportPolls(new Map([[a, 3]]), 60_000);
    assert.deepEqual(await store.pollsWaiting([a, b, none]), [3, 0, 0], 'replaced, not added; b left out: none');
    await store.reportPolls(new Map(), 60_000);
    assert.deepEqual(await store.pollsWaiting([a, b]), [0, 0], 'withdrawn');
    if (store.kind === 'redis') {
      await store.reportPolls(new Map([[a, 1]]), 100);
      await waitUntil('the report to lapse', async () => (await store.pollsWaiting([a]))[0] === 0, 5000);
      await store.reportPolls(new Map(), 100);
    }
  },
};
