/**
 * The MeterStore.rankQueues cases (meter-contract.ts): the deepest registered queues, ties by
 * name, and the sums over every other one, checked against what listQueues, meters and
 * pollsWaiting say queue by queue (the store may hold other cases' queues: the sums cover them).
 */
import assert from 'node:assert/strict';
import type { ConformingStore, Cases } from './context.js';
import type { MeterSums, QueueRanking } from '../../../src/storage/meter-contract.js';

/** The ranking rule and the sums, from the per-queue reads. */
async function expected(store: ConformingStore, limit: number): Promise<QueueRanking> {
  const queues = await store.listQueues();
  const meters = await store.meters(queues);
  const polls = await store.pollsWaiting(queues);
  const rows = queues.map((queue, i) => ({ queue, m: meters[i]!, polls: polls[i]!, depth: meters[i]!.ready + meters[i]!.inflight + meters[i]!.delayed }));
  rows.sort((a, b) => b.depth - a.depth || (a.queue < b.queue ? -1 : 1));
  const rest: MeterSums = { queues: 0, stopped: 0, ready: 0, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0, deadLettered: 0, oldestAgeMs: null };
  for (const { m, polls: p } of rows.slice(limit)) {
    rest.queues++;
    rest.stopped += m.status === 'stopped' ? 1 : 0;
    rest.ready += m.ready;
    rest.inflight += m.inflight;
    rest.delayed += m.delayed;
    rest.dead += m.dead;
    rest.consumers += m.consumers;
    rest.polls += p;
    rest.deadLettered += m.deadLettered;
    if (m.oldestAgeMs !== null) rest.oldestAgeMs = Math.max(rest.oldestAgeMs ?? 0, m.oldestAgeMs);
  }
  return { top: rows.slice(0, limit).map((r) => r.queue), rest };
}

/** Equal but for the ages, read at other instants (and by second on Redis). */
function assertRanking(actual: QueueRanking, want: QueueRanking, what: string): void {
  assert.deepEqual(actual.top, want.top, `${what}: top`);
  assert.deepEqual({ ...actual.rest, oldestAgeMs: null }, { ...want.rest, oldestAgeMs: null }, `${what}: sums`);
  const [a, w] = [actual.rest.oldestAgeMs, want.rest.oldestAgeMs];
  assert.equal(a === null, w === null, `${what}: an age when there is one (${String(a)}, ${String(w)})`);
  if (a !== null && w !== null) assert.ok(Math.abs(a - w) <= 1500, `${what}: oldest age ${a} ms, per queue ${w} ms`);
}

export const RANKING_CASES: Cases = {
  'ranks the deepest queues first, ties by name, and sums every other registered queue': async ({ store, queue, track, register }) => {
    const [deep, second, tieA, tieB, shallow, idle] = [queue(), queue(), queue(), queue(), queue(), queue()];
    const fill = (q: string, n: number) => store.enqueue(q, Array.from({ length: n }, (_, i) => `v${i}`));
    await fill(deep, 60);
    await store.lease(deep, 1, 60_000);
    await fill(second, 49);
    await store.enqueue(second, ['later'], { delayMs: 60_000 });
    await fill(tieA, 45);
    await fill(tieB, 45);
    await fill(shallow, 1);
    await fill(track(`${shallow}.dead`), 2);
    await fill(idle, 1);
    await store.take(idle, 1);
    await store.setStatus(idle, 'stopped');
    await store.setStatus(shallow, 'stopped');
    await register(shallow, ['c1', 'c2']);
    await store.reportPolls(new Map([[shallow, 3], [deep, 1]]), 60_000);
    try {
      const ties = [tieA, tieB].sort();
      const four = await store.rankQueues(4);
      assert.deepEqual(four.top, [deep, second, ...ties], 'by depth (leased and delayed count), then by name');
      assertRanking(four, await expected(store, 4), 'limit 4');
      assert.ok(four.rest.ready >= 3 && four.rest.dead >= 2 && four.rest.stopped >= 2, `the shallow queues are summed: ${JSON.stringify(four.rest)}`);
      assert.ok(four.rest.consumers >= 2 && four.rest.polls >= 3, `registrations and polls of the summed queues: ${JSON.stringify(four.rest)}`);
      assert.ok(four.rest.oldestAgeMs !== null, 'a summed queue has a dated ready message');

      const all = (await store.listQueues()).length;
      assertRanking(await store.rankQueues(0), await expected(store, 0), 'limit 0: every queue summed');
      assertRanking(await store.rankQueues(2), await expected(store, 2), 'limit 2');
      const three = await store.rankQueues(3);
      assert.deepEqual(three.top, [deep, second, ties[0]], 'a cut between two queues of one depth keeps the first by name');
      assertRanking(three, await expected(store, 3), 'limit 3');
      // Room for every queue: the empty ones come last, by name, and nothing is summed.
      const every = await store.rankQueues(all + 5);
      assertRanking(every, await expected(store, all + 5), 'room for all');
      assert.equal(every.top.length, all);
      assert.ok(every.top.includes(idle), 'an empty registered queue is ranked');
      assert.equal(every.rest.queues, 0);
    } finally {
      await store.reportPolls(new Map(), 60_000);
    }
  },
  'the sums stay exact at every cut, an empty queue with dead letters and a status included': async ({ store, queue, track }) => {
    const [full, empty] = [queue(), queue()];
    await store.enqueue(full, ['a', 'b']);
    await store.enqueue(empty, ['x']);
    await store.take(empty, 1);
    await store.enqueue(track(`${empty}.dead`), ['d1', 'd2', 'd3']);
    await store.setStatus(empty, 'stopped');
    const all = (await store.listQueues()).length;
    for (const limit of [1, 2, 3, all - 1, all]) assertRanking(await store.rankQueues(limit), await expected(store, limit), `limit ${limit}`);
  },
};
