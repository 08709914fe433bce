/**
 * The FIFO cases of the conformance suite (lease-contract.ts): on a queue named `*.fifo` a
 * lease holds a message group back while one of its messages is leased, and only FIFO queues.
 */
import assert from 'node:assert/strict';
import type { LeasedMessage } from '../../../src/storage/lease-contract.js';
import type { Cases, ConformingStore, Ctx } from './context.js';
import { waitUntil } from '../../harness/wait.js';

const LONG = 60_000;
const valuesOf = (ms: readonly LeasedMessage[]) => ms.map((m) => m.value);

/** A fresh FIFO queue, cleaned up after the case. */
const fifoQueue = (ctx: Ctx): string => ctx.track(`${ctx.queue()}.fifo`);

/** Sends [group, value] pairs in order, each with its group in its SQS metadata. */
async function send(store: ConformingStore, q: string, messages: readonly [string | undefined, string][]): Promise<void> {
  for (const [g, value] of messages) {
    await store.enqueueWithMeta(q, value, JSON.stringify(g === undefined ? { id: value, t: 1 } : { id: value, t: 1, g }));
  }
}

const AB: [string, string][] = [['A', 'a1'], ['B', 'b1'], ['A', 'a2'], ['B', 'b2'], ['A', 'a3'], ['B', 'b3']];

export const FIFO_CASES: Cases = {
  'a FIFO lease skips the groups with a message leased and takes the others, in order': async (ctx) => {
    const { store } = ctx;
    const q = fifoQueue(ctx);
    await send(store, q, AB);
    const first = await store.lease(q, 1, LONG);
    assert.deepEqual(valuesOf(first.messages), ['a1']);
    // Group A is held; B's messages come, in order, several in one lease.
    assert.deepEqual(valuesOf((await store.lease(q, 10, LONG)).messages), ['b1', 'b2', 'b3']);
    assert.deepEqual((await store.lease(q, 10, LONG)).messages, []);
    assert.equal(await store.ack(q, first.messages[0]!.receipt), 'ok');
    assert.deepEqual(valuesOf((await store.lease(q, 10, LONG)).messages), ['a2', 'a3']);
  },

  'a FIFO lease of many takes every free message in queue order': async (ctx) => {
    const { store } = ctx;
    const q = fifoQueue(ctx);
    await send(store, q, [...AB, [undefined, 'plain']]);
    assert.deepEqual(valuesOf((await store.lease(q, 10, LONG)).messages), ['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'plain']);
  },

  'messages without a group are never held back on a FIFO queue': async (ctx) => {
    const { store } = ctx;
    const q = fifoQueue(ctx);
    await send(store, q, [['A', 'a1'], ['A', 'a2'], [undefined, 'x'], [undefined, 'y']]);
    assert.deepEqual(valuesOf((await store.lease(q, 1, LONG)).messages), ['a1']);
    assert.deepEqual(valuesOf((await store.lease(q, 1, LONG)).messages), ['x']);
    assert.deepEqual(valuesOf((await store.lease(q, 5, LONG)).messages), ['y']);
  },

  'a FIFO group is free again when its lease ends or is nacked, oldest message first': async (ctx) => {
    const { store } = ctx;
    const q = fifoQueue(ctx);
    await send(store, q, [['A', 'a1'], ['A', 'a2']]);
    const [a1] = (await store.lease(q, 1, 200)).messages;
    assert.equal(a1?.value, 'a1');
    assert.deepEqual((await store.lease(q, 1, LONG)).messages, []);
    let again: LeasedMessage[] = [];
    await waitUntil('the lease of a1 to end', async () => {
      again = (await store.lease(q, 10, LONG)).messages;
      return again.length > 0;
    }, 5000);
    assert.deepEqual(valuesOf(again), ['a1', 'a2']);
    assert.deepEqual(again.map((m) => m.attempts), [2, 1]);
    assert.equal(await store.nack(q, again[0]!.receipt, 0), 'ok');
    // a2 is still out, so A stays held even with a1 back.
    assert.deepEqual((await store.lease(q, 10, LONG)).messages, []);
    assert.equal(await store.nack(q, again[1]!.receipt, 0), 'ok');
    assert.deepEqual(valuesOf((await store.lease(q, 10, LONG)).messages), ['a1', 'a2']);
  },

  'concurrent FIFO leases hand out one group once': async (ctx) => {
    const { store } = ctx;
    const q = fifoQueue(ctx);
    await send(store, q, [['A', 'a1'], ['A', 'a2'], ['A', 'a3']]);
    const all = await Promise.all(Array.from({ length: 8 }, () => store.lease(q, 1, LONG)));
    assert.deepEqual(all.flatMap((r) => valuesOf(r.messages)), ['a1']);
  },

  'a queue not named *.fifo ignores groups': async ({ store, queue }) => {
    const q = queue();
    await send(store, q, [['A', 'a1'], ['A', 'a2']]);
    assert.deepEqual(valuesOf((await store.lease(q, 1, LONG)).messages), ['a1']);
    assert.deepEqual(valuesOf((await store.lease(q, 1, LONG)).messages), ['a2']);
  },
};
