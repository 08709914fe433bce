/**
 * The broker's memory per queue name stays bounded: producers posting to 20,000 random queue
 * names through QueueService (as every protocol does) leave at most the Activity bound of
 * counters in memory, and deleting a queue drops its counters at once. Over the memory store
 * (SQLite :memory:): the store keeps the queues, the broker's process maps do not grow past
 * the bound.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { QueueService } from '../../src/core/queue-service.js';
import { Activity } from '../../src/core/activity.js';
import { Distributor } from '../../src/core/distributor.js';
import { LongPoll } from '../../src/core/long-poll.js';

it('20,000 random queue names posted to leave at most maxQueues counters; a delete drops its own', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  const activity = new Activity({ maxQueues: 500, idleMs: 3_600_000 });
  const log = { warn: () => {} };
  const service = new QueueService(store, { maxMessageBytes: 1024 }, { activity, longPoll: new LongPoll(store, log, activity), streams: new Distributor(store, log, activity) });
  try {
    let last = '';
    for (let i = 0; i < 20_000; i++) {
      last = `rnd-${i}-${Math.random().toString(36).slice(2, 8)}`;
      await service.add(last, ['x']);
      assert.ok(activity.size <= 500, `bounded at every step (${activity.size} after ${i + 1})`);
    }
    assert.equal(activity.totals().enqueued, 20_000, 'every enqueue still counted in the totals');
    assert.ok(activity.snapshot().has(last));
    await service.deleteQueue(last);
    assert.ok(!activity.snapshot().has(last), 'the deleted queue\'s counters are gone');
    assert.equal((await service.listQueues()).length, 19_999, 'the store keeps the others');
  } finally {
    await store.close();
  }
});
