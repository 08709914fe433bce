/**
 * GET /dashboard/api/queues pages the queue table by name: `offset` and `limit` (default 1000,
 * at most 10000), with `total` counting every queue. Bad values answer 400 INVALID_PAGE.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, forEachBackend, req } from './backends.js';

const QUEUES = 250;

interface Page {
  total: number;
  offset: number;
  limit: number;
  store: string;
  queues: { queue: string; ready: number }[];
}

async function page(url: string, query: string): Promise<Page> {
  const r = await req(url, 'GET', `/dashboard/api/queues${query}`);
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Page;
}

forEachBackend((ctx) => {
  it(`pages ${QUEUES} queues by name, each page read with its figures, and refuses bad pages`, async () => {
    const url = ctx().url;
    const names = Array.from({ length: QUEUES }, (_, i) => `page-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map(async (q, j) => {
        // Queue i holds 1 + i % 3 messages, so each row's figures can be checked.
        const r = await req(url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(Array.from({ length: 1 + ((i + j) % 3) }, () => 'm')), type: 'application/json' });
        assert.equal(r.status, 200, r.text);
      }));
    }
    const seen: string[] = [];
    for (let offset = 0; offset < QUEUES + 100; offset += 100) {
      const p = await page(url, `?offset=${offset}&limit=100`);
      assert.equal(p.total, QUEUES);
      assert.equal(p.offset, offset);
      assert.equal(p.limit, 100);
      assert.equal(p.store, ctx().storeKind);
      assert.equal(p.queues.length, Math.max(0, Math.min(100, QUEUES - offset)));
      for (const row of p.queues) assert.equal(row.ready, 1 + (names.indexOf(row.queue) % 3), row.queue);
      seen.push(...p.queues.map((r) => r.queue));
    }
    assert.deepEqual(seen, names, 'the pages cover every queue once, in name order');

    const all = await page(url, '');
    assert.deepEqual([all.offset, all.limit, all.total, all.queues.length], [0, 1000, QUEUES, QUEUES], 'default: the first 1000');

    for (const bad of ['?limit=0', '?limit=10001', '?offset=-1', '?offset=abc', '?limit=1.5']) {
      assertError(await req(url, 'GET', `/dashboard/api/queues${bad}`), 400, 'INVALID_PAGE');
    }
  });
});
