/**
 * SQLite meters of many queues: from GROUPED_METERS_FROM queues asked at once the store reads them in grouped
 * scans of the whole tables instead of per queue, and from RANGE_METERS_FROM names in order
 * (a page of the queue list) in grouped scans of their range of names. Both paths must give the same figures, for
 * queues in every state (ready, leased, delayed, dead-lettered, stopped, roundrobin, streamed,
 * empty, never seen).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GROUPED_METERS_FROM, openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { nameRange, RANGE_METERS_FROM } from '../../src/storage/sqlite/sqlite-meters.js';
import { tempFiles } from './sqlite-files.js';

const { freshFile } = tempFiles('restmq-sqlite-meters-');

describe('SQLite meters: many queues at once read as one at a time', () => {
  it('gives every queue the figures of a single-queue read', async () => {
    const store = openSqliteStore({ path: freshFile() });
    try {
      const queues: string[] = [];
      for (let i = 0; i < GROUPED_METERS_FROM + 9; i++) {
        const q = `mq${String(i).padStart(3, '0')}`;
        queues.push(q);
        switch (i % 9) {
          case 0: break; // never written to
          case 1: await store.enqueue(q, Array.from({ length: 1 + (i % 50) }, (_, n) => `v${n}`)); break;
          case 2: await store.enqueue(q, ['a', 'b', 'c']); await store.lease(q, 2, 60_000); break;
          case 3: await store.enqueue(q, ['later'], { delayMs: 60_000 }); await store.enqueue(q, ['now']); break;
          case 4: {
            await store.setSettings(q, { maxAttempts: 1 });
            await store.enqueue(q, ['doomed', 'fine']);
            const { messages } = await store.lease(q, 1, 60_000);
            assert.equal(await store.nack(q, messages[0]!.receipt, 0), 'ok');
            break;
          }
          case 5: await store.enqueue(q, ['x']); await store.setStatus(q, 'stopped'); break;
          case 6: await store.enqueue(q, ['y']); await store.setPolicy(q, 'roundrobin'); break;
          case 7: await store.enqueue(q, ['z']); await store.registerConsumers(q, ['c1', 'c2'], 60_000); break;
          case 8: await store.enqueue(q, ['gone']); await store.take(q, 1); break;
        }
      }
      queues.push('never-registered');
      const together = await store.meters(queues);
      assert.ok(queues.length >= GROUPED_METERS_FROM, 'enough queues for the grouped read');
      const alone: (typeof together)[number][] = [];
      for (const q of queues) alone.push((await store.meters([q]))[0]!);
      // Ages are read at two instants: compare them apart, within the time the reads took.
      const strip = (m: (typeof together)[number]) => ({ ...m, oldestAgeMs: m.oldestAgeMs === null ? null : 'dated' });
      assert.deepEqual(together.map(strip), alone.map(strip));
      // The other two paths: a page of names in order scans only their range (RANGE_METERS_FROM
      // and up: GET /stats/ and dashboard pages), names out of order scan the whole tables.
      const pages: (typeof together)[number][] = [];
      for (let i = 0; i < queues.length; i += 100) pages.push(...await store.meters(queues.slice(i, i + 100)));
      assert.deepEqual(pages.map(strip), alone.map(strip), 'pages of 100 in order');
      assert.ok(nameRange(queues.slice(0, RANGE_METERS_FROM)) !== undefined && nameRange([...queues].reverse()) === undefined);
      const reversed = await store.meters([...queues].reverse());
      assert.deepEqual(reversed.reverse().map(strip), alone.map(strip), 'out of order');
      together.forEach((m, i) => {
        if (m.oldestAgeMs !== null) assert.ok(Math.abs(m.oldestAgeMs - alone[i]!.oldestAgeMs!) < 60_000);
      });
      // The states above really happened (a test of nothing would pass too).
      const by = new Map(queues.map((q, i) => [q, together[i]!]));
      assert.equal(by.get('mq001')!.ready, 2);
      assert.equal(by.get('mq002')!.inflight, 2);
      assert.equal(by.get('mq003')!.delayed, 1);
      assert.equal(by.get('mq004')!.deadLettered, 1);
      assert.equal(by.get('mq004')!.dead, 1);
      assert.equal(by.get('mq005')!.status, 'stopped');
      assert.equal(by.get('mq006')!.policy, 'roundrobin');
      assert.equal(by.get('mq007')!.consumers, 2);
      assert.equal(by.get('mq010')!.ready, 11);
    } finally {
      await store.close();
    }
  });
});
