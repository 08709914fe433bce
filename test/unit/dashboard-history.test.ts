/**
 * The dashboard's chart history: an hour of samples kept small (recent samples as they are,
 * older ones folded into buckets: means, the oldest-age column a maximum), and nothing
 * older than the span.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChartHistory, HISTORY_DEFAULTS, type Point } from '../../src/dashboard/history.js';

const point = (t: number, v: number, q: Record<string, number[]> = {}): Point => ({ t, all: [v, 0, 0, 0, v, 0, 0, v], q });

describe('dashboard chart history', () => {
  it('two hours of 1-second samples keep an hour, in at most 300 + 240 points', () => {
    const h = new ChartHistory();
    const start = 1_000_000_000_000;
    for (let s = 0; s < 7200; s++) h.push(point(start + s * 1000, s % 10));
    const points = h.points();
    const now = start + 7199 * 1000;
    assert.ok(points.length <= 300 + 240 + 1, `bounded: ${points.length} points`);
    assert.ok(points.length >= 500, `an hour kept: ${points.length} points`);
    assert.ok(now - points[0]!.t >= HISTORY_DEFAULTS.spanMs - HISTORY_DEFAULTS.bucketMs, `spans an hour: ${(now - points[0]!.t) / 60000} min`);
    assert.ok(now - points[0]!.t <= HISTORY_DEFAULTS.spanMs + HISTORY_DEFAULTS.bucketMs, 'nothing older than the span');
    const times = points.map((p) => p.t);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    // The last 5 minutes are the samples themselves.
    assert.equal(points.filter((p) => p.t > now - HISTORY_DEFAULTS.fineMs).length, 300);
  });

  it('a bucket holds the mean of its samples and the largest oldest age', () => {
    const h = new ChartHistory({ fineMs: 1000, bucketMs: 10_000, spanMs: 60_000 });
    // 10 samples 0..9 in the bucket [0, 10 s), per queue too, then enough to age them out.
    for (let s = 0; s < 10; s++) h.push(point(s * 1000, s, { jobs: [s * 2, 0, 0, 0, 0, 0, 0, s] }));
    for (let s = 10; s < 13; s++) h.push(point(s * 1000, 100));
    const [bucket] = h.points();
    assert.equal(bucket!.t, 0);
    assert.equal(bucket!.all[0], 4.5, 'depth: the mean');
    assert.equal(bucket!.all[4], 4.5, 'rate: the mean');
    assert.equal(bucket!.all[7], 9, 'oldest age: the maximum');
    assert.equal(bucket!.q['jobs']![0], 9, 'per queue: the mean');
    assert.equal(bucket!.q['jobs']![7], 9);
  });
});
