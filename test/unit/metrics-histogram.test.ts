/**
 * The hot-path histogram (src/metrics/histogram.ts) prints what prom-client prints for the same
 * observations: same samples, same cumulative buckets, same sums and counts.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram as PromHistogram, Registry } from 'prom-client';
import { Histogram } from '../../src/metrics/histogram.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];

/** `name{labels} value` lines as a sorted list of [name, sorted labels, value] strings. */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(l);
      assert.ok(m, `a sample line: ${l}`);
      const labels = (m[2] ?? '').split(/,(?=\w+=")/).filter((x) => x !== '').sort().join(',');
      return `${m[1]!}{${labels}} ${Number(m[3])}`;
    })
    .sort();
}

it('renders the same samples as prom-client for the same observations', async () => {
  const registry = new Registry();
  const theirs = new PromHistogram({ name: 'h_seconds', help: 'h', labelNames: ['route', 'code'], buckets: BOUNDS, registers: [registry] });
  const ours = new Histogram('h_seconds', 'h', ['route', 'code'], BOUNDS);
  const observations: [string, string, number][] = [
    ['/q/:queue', '200', 0.0004], ['/q/:queue', '200', 0.001], ['/q/:queue', '200', 0.05], ['/q/:queue', '204', 3],
    ['/c/:queue', '200', 0.5], ['/c/:queue', '200', 1], ['we"ird\\route', '500', 0.002],
  ];
  for (const [route, code, v] of observations) {
    theirs.labels(route, code).observe(v);
    ours.of(`${route} ${code}`, () => ({ route, code })).observe(v);
  }
  const out: string[] = [];
  ours.render(out);
  const text = out.join('\n') + '\n';
  assert.match(text, /^# HELP h_seconds h\n# TYPE h_seconds histogram\n/);
  assert.deepEqual(samples(text), samples(await registry.metrics()));
});

it('keeps one series per key and counts values above every bound only in +Inf', () => {
  const h = new Histogram('x', 'x', ['op'], BOUNDS);
  const s = h.of('take', () => ({ op: 'take' }));
  assert.equal(h.of('take', () => assert.fail('the series exists: labels are not asked again')), s, 'same series');
  s.observe(5);
  s.observe(0.0005);
  const out: string[] = [];
  h.render(out);
  assert.ok(out.includes('x_bucket{op="take",le="1"} 1'), 'only the small one under 1');
  assert.ok(out.includes('x_bucket{op="take",le="+Inf"} 2'), 'both under +Inf');
  assert.ok(out.includes('x_sum{op="take"} 5.0005'), 'the sum');
  assert.ok(out.includes('x_count{op="take"} 2'), 'the count');
});
