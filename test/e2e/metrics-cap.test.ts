/**
 * --metrics-max-queues: beyond the cap, the deepest queues keep their own series and every
 * other queue is summed into queue="(other)", so totals over queues stay true. Under the cap
 * (the default, 1,000) every queue has its own series.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, req, type Ctx } from './backends.js';
import { scrape, value, type Exposition } from '../harness/exposition.js';

const SHALLOW = 300;
const DEEP = 5;

/** SHALLOW queues with one message each (one of them stopped), DEEP with 10 + i messages. */
async function fill(url: string, prefix: string): Promise<{ shallow: string[]; deep: string[] }> {
  const shallow = Array.from({ length: SHALLOW }, (_, i) => `${prefix}-s${i}`);
  const deep = Array.from({ length: DEEP }, (_, i) => `${prefix}-d${i}`);
  for (let i = 0; i < shallow.length; i += 25) {
    await Promise.all(shallow.slice(i, i + 25).map(async (q) => {
      const r = await req(url, 'POST', `/q/${q}`, { form: { value: 'm' } });
      assert.equal(r.status, 200, r.text);
    }));
  }
  for (const [i, q] of deep.entries()) {
    const r = await req(url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(Array.from({ length: 10 + i }, (_, n) => `v${n}`)), type: 'application/json' });
    assert.equal(r.status, 200, r.text);
  }
  const stop = await req(url, 'POST', `/control/${shallow[0]!}`, { form: { status: 'stop' } });
  assert.equal(stop.status, 200, stop.text);
  return { shallow, deep };
}

function queueLabels(e: Exposition, prefix: string): Set<string> {
  return new Set(e.samples.filter((s) => s.name === 'restmq_queue_messages' && (s.labels.queue!.startsWith(prefix) || s.labels.queue === '(other)')).map((s) => s.labels.queue!));
}

function suite(ctx: () => Ctx, capped: boolean): void {
  it(capped ? 'keeps the 5 deepest queues and sums the other 300 into queue="(other)"' : 'gives each of 305 queues its own series', async () => {
    const prefix = `cap-${ctx().backend}-${capped ? 'on' : 'off'}`;
    const { shallow, deep } = await fill(ctx().url, prefix);
    const e = await scrape(ctx().url);
    const ready = (queue: string) => value(e, 'restmq_queue_messages', { queue, state: 'ready' });
    if (capped) {
      assert.deepEqual([...queueLabels(e, prefix)].sort(), [...deep, '(other)'].sort());
      deep.forEach((q, i) => assert.equal(ready(q), 10 + i, q));
      assert.equal(ready('(other)'), SHALLOW);
      assert.equal(value(e, 'restmq_queue_paused', { queue: '(other)' }), 1, 'one of the summed queues is stopped');
      assert.equal(value(e, 'restmq_messages_enqueued_total', { queue: '(other)' }), SHALLOW);
      assert.equal(value(e, 'restmq_messages_enqueued_total', { queue: deep[4]! }), 14);
      // The deepest queues come first in each family.
      const order = e.samples.filter((s) => s.name === 'restmq_queue_paused').map((s) => s.labels.queue);
      assert.deepEqual(order, [...[...deep].reverse(), '(other)']);
    } else {
      assert.deepEqual([...queueLabels(e, prefix)].sort(), [...shallow, ...deep].sort());
      assert.equal(ready(shallow[7]!), 1);
      assert.equal(value(e, 'restmq_queue_paused', { queue: shallow[0]! }), 1);
    }
  });
}

describe('--metrics-max-queues 5', () => {
  forEachBackend((ctx) => suite(ctx, true), { flags: { 'metrics-max-queues': '5' } });
});

describe('--metrics-max-queues default (1000)', () => {
  forEachBackend((ctx) => suite(ctx, false), { backends: ['sqlite'] });
});
