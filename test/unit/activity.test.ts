/**
 * Activity: the per-queue counters behind /metrics and the dashboard rates, and the count of
 * redeliveries in a receive.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Activity, DEFAULT_ACTIVITY_LIMITS, redeliveries } from '../../src/core/activity.js';

it('counts by queue and kind; push deliveries also count as deliveries', () => {
  const a = new Activity();
  a.count('a', 'enqueued', 3);
  a.count('a', 'delivered', 2);
  a.count('a', 'delivered', 5, 'push');
  a.count('b', 'acked');
  const snap = a.snapshot();
  assert.deepEqual([...snap.keys()].sort(), ['a', 'b']);
  assert.equal(snap.get('a')!.enqueued, 3);
  assert.equal(snap.get('a')!.delivered, 7, 'pull and push together');
  assert.equal(snap.get('a')!.deliveredPush, 5, 'push apart');
  assert.equal(snap.get('b')!.acked, 1, 'n defaults to 1');
  assert.equal(snap.get('b')!.enqueued, 0, 'other kinds start at 0');
});

it('ignores zero and negative amounts, and creates no entry for them', () => {
  const a = new Activity();
  a.count('a', 'expired', 0);
  a.count('a', 'expired', -2);
  assert.equal(a.snapshot().size, 0, 'no queue entry for nothing counted');
  a.count('a', 'expired', 1);
  assert.equal(a.snapshot().get('a')!.expired, 1);
});

it('totals add every queue', () => {
  const a = new Activity();
  a.count('a', 'enqueued', 2);
  a.count('b', 'enqueued', 3);
  a.count('b', 'delivered', 4, 'push');
  a.count('c', 'emptyReceives');
  const t = a.totals();
  assert.equal(t.enqueued, 5);
  assert.equal(t.delivered, 4);
  assert.equal(t.deliveredPush, 4);
  assert.equal(t.emptyReceives, 1);
  assert.equal(t.acked, 0);
  t.enqueued = 99;
  assert.equal(a.totals().enqueued, 5, 'totals is a copy');
});

it('redeliveries counts leased messages with attempts above 1, none for a plain take', () => {
  const leased = (attempts: number) => ({ key: `q:${attempts}`, value: 'v', receipt: `${attempts}.abcdefgh`, attempts });
  assert.equal(redeliveries({ messages: [leased(1), leased(2), leased(5)], stopped: false, expired: 0 }), 2);
  assert.equal(redeliveries({ messages: [{ key: 'q:1', value: 'v' }], stopped: false, expired: 0 }), 0);
  assert.equal(redeliveries({ messages: [], stopped: true, expired: 0 }), 0);
});

it('stays bounded: 20,000 queue names leave at most maxQueues entries, the least recently counted going first', () => {
  const a = new Activity({ maxQueues: 1000, idleMs: 3_600_000 });
  a.count('busy', 'enqueued');
  for (let i = 0; i < 20_000; i++) {
    a.count(`random-${i}-${Math.random().toString(36).slice(2)}`, 'enqueued');
    // Counted again a second later now and then: the recency order is kept to the second.
    if (i % 500 === 0) a.count('busy', 'delivered');
  }
  assert.ok(a.size <= 1000, `at most 1000 queues kept (${a.size})`);
  assert.equal(a.snapshot().size, a.size);
  assert.equal(a.totals().enqueued, 20_001, 'what forgotten queues counted stays in the totals');
});

it('the default bound holds for 20,000 names too', () => {
  const a = new Activity();
  for (let i = 0; i < 20_000; i++) a.count(`n${i}`, 'enqueued');
  assert.ok(a.size <= DEFAULT_ACTIVITY_LIMITS.maxQueues, `${a.size} ≤ ${DEFAULT_ACTIVITY_LIMITS.maxQueues}`);
  assert.ok(a.snapshot().has('n19999'), 'the latest is kept');
  assert.ok(!a.snapshot().has('n0'), 'the oldest went');
});

it('a queue idle for longer than idleMs loses its counters as others count', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const a = new Activity({ maxQueues: 100, idleMs: 60_000 });
  a.count('old', 'enqueued', 5);
  a.count('fresh', 'enqueued');
  t.mock.timers.tick(30_000);
  a.count('fresh', 'acked');
  assert.ok(a.snapshot().has('old'), 'not idle long enough yet');
  t.mock.timers.tick(31_000);
  a.count('fresh', 'acked');
  assert.deepEqual([...a.snapshot().keys()], ['fresh'], 'old was idle for 61 s');
  assert.equal(a.totals().enqueued, 6);
});

it('forget drops a deleted queue at once, keeping its counts in the totals', () => {
  const a = new Activity();
  a.count('gone', 'enqueued', 4);
  a.count('kept', 'enqueued', 1);
  a.forget('gone');
  a.forget('never-counted');
  assert.deepEqual([...a.snapshot().keys()], ['kept']);
  assert.equal(a.totals().enqueued, 5);
  a.count('gone', 'enqueued');
  assert.equal(a.snapshot().get('gone')!.enqueued, 1, 'a recreated queue counts from zero');
});
