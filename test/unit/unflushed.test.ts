import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Unflushed } from '../../src/protocols/stream/unflushed.js';
import type { Handed } from '../../src/core/consumer.js';

const h = (n: number): Handed => ({ message: { key: `q:${n}`, value: 'v' }, queue: 'q', copiesOf: { total: 1, failed: 0, copies: 1 } });
const keys = (hs: Handed[]) => hs.map((x) => x.message.key);

describe('Unflushed', () => {
  it('nothing buffered: nothing unsent', () => {
    const u = new Unflushed();
    u.add(h(1), 10);
    assert.deepEqual(u.take(0), []);
  });

  it('the last buffered bytes map to the newest messages', () => {
    const u = new Unflushed();
    for (let i = 1; i <= 4; i++) u.add(h(i), 10);
    assert.deepEqual(keys(u.take(15)), ['q:3', 'q:4'], 'a half-sent message counts as unsent');
  });

  it('trim forgets messages that are surely out, keeps the ones that may not be', () => {
    const u = new Unflushed();
    for (let i = 1; i <= 3; i++) u.add(h(i), 10);
    u.trim(10);
    u.add(h(4), 10);
    assert.deepEqual(keys(u.take(20)), ['q:3', 'q:4']);
  });

  it('more buffered than tracked (headers, heartbeats): every tracked message is unsent', () => {
    const u = new Unflushed();
    u.add(h(1), 10);
    assert.deepEqual(keys(u.take(500)), ['q:1']);
  });
});
