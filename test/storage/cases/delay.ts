/**
 * Delayed messages on time (contract.ts enqueue): once due, a delayed message is seen by every
 * read of its queue in that read's own step, with no reaper run; promoteDue says when the next
 * one is due. No case here calls reapLeases: that is the point.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Message } from '../../../src/wire.js';
import type { Cases } from './context.js';

const values = (ms: readonly Message[]) => ms.map((m) => m.value);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const DELAY_CASES: Cases = {
  'a due delayed message is seen by take, peek, softGet, lease, dispatch and the meters without a reaper run': async ({ store, queue, register }) => {
    const delayMs = 150;
    const [qEarly, qTake, qPeek, qSoft, qLease, qDispatch, qMeters] = [queue(), queue(), queue(), queue(), queue(), queue(), queue()];
    const t0 = Date.now();
    for (const q of [qEarly, qTake, qPeek, qSoft, qLease, qDispatch, qMeters]) await store.enqueue(q, ['late'], { delayMs });
    const allDue = Date.now() + delayMs + 20;
    await register(qDispatch, [`c-${randomUUID()}`]);
    const early = {
      peek: (await store.peek(qEarly, 10)).length,
      meters: (await store.meters([qEarly]))[0]!.ready,
      take: (await store.take(qEarly, 10)).messages.length,
    };
    // Only meaningful before the delay is over (a very slow run skips them rather than flake).
    if (Date.now() - t0 < delayMs) assert.deepEqual(early, { take: 0, peek: 0, meters: 0 }, 'nothing is visible before it is due');
    await sleep(Math.max(0, allDue - Date.now()));
    assert.deepEqual(values((await store.take(qTake, 10)).messages), ['late'], 'take');
    assert.deepEqual(values(await store.peek(qPeek, 10)), ['late'], 'peek');
    assert.equal((await store.softGet(qSoft))?.value, 'late', 'softGet');
    assert.deepEqual(values((await store.lease(qLease, 10, 60_000)).messages), ['late'], 'lease');
    const d = await store.dispatch(qDispatch, 10, 10);
    assert.deepEqual(values(d.inbox.filter((i) => i.queue === qDispatch)), ['late'], 'dispatch');
    await store.ackInbox(d.inbox.length);
    const [m] = await store.meters([qMeters]);
    assert.deepEqual({ ready: m!.ready, delayed: m!.delayed }, { ready: 1, delayed: 0 }, 'meters count it as ready');
    assert.deepEqual(values((await store.take(qMeters, 10)).messages), ['late'], 'and a take then gets it');
  },
  'a due delayed message joins the queue behind what was ready before it was due': async ({ store, queue }) => {
    const q = queue();
    await store.enqueue(q, ['late'], { delayMs: 100 });
    await store.enqueue(q, ['first']);
    await sleep(130);
    assert.deepEqual(values((await store.take(q, 10)).messages).sort(), ['first', 'late'], 'both, no reaper run');
  },
  'promoteDue says in how many ms the next delayed message is due': async ({ store, queue }) => {
    const q = queue();
    assert.equal(await store.promoteDue(q), null, 'nothing delayed');
    await store.enqueue(q, ['ready']);
    assert.equal(await store.promoteDue(q), null, 'ready messages are not delayed');
    const t0 = Date.now();
    await store.enqueue(q, ['d300'], { delayMs: 300 });
    await store.enqueue(q, ['d600'], { delayMs: 600 });
    const first = await store.promoteDue(q);
    assert.ok(first !== null && first <= 300 && first >= 300 - (Date.now() - t0) - 20, `next due in ~300 ms (got ${first})`);
    await sleep(Math.max(0, t0 + 350 - Date.now()));
    const second = await store.promoteDue(q);
    assert.ok(second !== null && second > 0 && second <= 300, `then the 600 ms one (got ${second})`);
    assert.deepEqual(values((await store.take(q, 10)).messages), ['ready', 'd300'], 'the due one is ready');
    await sleep(second + 20);
    assert.equal(await store.promoteDue(q), null, 'none left once all are due');
    assert.deepEqual(values((await store.take(q, 10)).messages), ['d600']);
  },
};
