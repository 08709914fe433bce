/**
 * The dashboard's map of custom dead-letter queues is read once for every page that asks
 * within a couple of seconds (each reading costs a settings read per queue), and a change of
 * settings or a delete through this broker is seen by the next request at once. Over the
 * memory store (SQLite :memory:), counting its settings reads.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { QueueService } from '../../src/core/queue-service.js';
import { Activity } from '../../src/core/activity.js';
import { Distributor } from '../../src/core/distributor.js';
import { LongPoll } from '../../src/core/long-poll.js';
import { sharedDeadLetters } from '../../src/dashboard/dead-letters.js';

it('one reading serves concurrent pages; a settings change or a delete here is seen at once', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  let reads = 0;
  const getSettings = store.getSettings.bind(store);
  store.getSettings = (queue) => {
    reads++;
    return getSettings(queue);
  };
  const activity = new Activity();
  const log = { warn: () => {} };
  const service = new QueueService(store, { maxMessageBytes: 1024 }, { activity, longPoll: new LongPoll(store, log, activity), streams: new Distributor(store, log, activity) });
  try {
    for (const q of ['orders', 'refunds', 'audit']) await service.add(q, ['x']);
    await service.setSettings('orders', { deadLetter: 'failed' });
    reads = 0;
    const pages = await Promise.all(Array.from({ length: 20 }, () => sharedDeadLetters(service)));
    for (const p of pages) assert.deepEqual(p, { orders: 'failed' });
    assert.equal(reads, 3, 'one settings read per queue for all 20 pages');
    assert.deepEqual(await sharedDeadLetters(service), { orders: 'failed' });
    assert.equal(reads, 3, 'a page right after shares the reading');

    await service.setSettings('refunds', { deadLetter: 'failed' });
    assert.deepEqual(await sharedDeadLetters(service), { orders: 'failed', refunds: 'failed' }, 'a change through this broker is seen at once');
    await service.deleteQueue('orders');
    assert.deepEqual(await sharedDeadLetters(service), { refunds: 'failed' }, 'so is a delete');
  } finally {
    await store.close();
  }
});
