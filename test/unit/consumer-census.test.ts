/** sumConsumers: the consumers of every queue outside a kept set, as countConsumers counts them queue by queue. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countConsumers, sumConsumers, type ConsumerCounts, type LocalConsumers, type ReportedPolls, type Waiters } from '../../src/core/consumer-census.js';
import type { Transport } from '../../src/core/consumer.js';

const streams = (list: [string, Transport][]): LocalConsumers => ({ eachConsumer: (fn) => list.forEach(([q, t]) => fn(q, t)) });
const waiters = (m: Record<string, number>): Waiters => ({ waitingByQueue: () => new Map(Object.entries(m)) });
const reports = (m: Record<string, number>): ReportedPolls => ({
  reported: (q) => m[q] ?? 0,
  eachReported: (fn) => Object.entries(m).forEach(([q, n]) => fn(q, n)),
});

describe('sumConsumers', () => {
  it('adds up what countConsumers gives the queues left out, and nothing of the kept ones', () => {
    const local = streams([['a', 'sse'], ['a', 'ws'], ['b', 'comet'], ['c', 'sse'], ['c', 'sse'], ['k', 'ws']]);
    const polls = waiters({ a: 2, c: 1, k: 5 });
    const reported = reports({ a: 1, k: 4 });
    const queues = ['a', 'b', 'c'];
    // The store's counts: every broker's registrations (here, more than this broker holds on a) and polls.
    const registered = [4, 1, 2];
    const polling = [3, 0, 6];
    const each = countConsumers(queues, registered, polling, local, polls, reported);
    const want = each.reduce<ConsumerCounts>((s, c) => ({ comet: s.comet + c.comet, sse: s.sse + c.sse, ws: s.ws + c.ws, poll: s.poll + c.poll, total: s.total + c.total }),
      { comet: 0, sse: 0, ws: 0, poll: 0, total: 0 });
    const sum = sumConsumers(new Set(['k']), 4 + 1 + 2, 3 + 0 + 6, local, polls, reported);
    assert.deepEqual(sum, want);
    assert.deepEqual(sum, { comet: 1, sse: 3, ws: 1, poll: (3 - 1) + 2 + 6 + 1, total: 7 });
  });
  it('never reads fewer streams than this broker holds (a registration in flight)', () => {
    const sum = sumConsumers(new Set(), 0, 0, streams([['a', 'sse'], ['b', 'ws']]), waiters({}));
    assert.equal(sum.total, 2);
  });
});
