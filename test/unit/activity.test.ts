/**
 * Activity: the per-queue counters behind /metrics and the dashboard rates, and the count of
 * redeliveries in a receive.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Activity, redeliveries } from '../../src/core/activity.js';

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
