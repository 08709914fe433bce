/**
 * presque's in-memory bookkeeping stays bounded however many queue names and uniq tokens
 * clients make up, and forgets a deleted queue at once.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PresqueState } from '../../src/protocols/presque/state.js';

it('20,000 random queue names and tokens leave at most 10,000 queues per counter map', () => {
  const s = new PresqueState();
  for (let i = 0; i < 20_000; i++) {
    const q = `r${i}-${Math.random().toString(36).slice(2)}`;
    s.countProcessed(q, 1, undefined);
    s.countFailed(q, undefined);
    assert.equal(s.claimUniq(q, 'tok', `${q}:1`), true);
  }
  const { processed, failed, uniq } = s.sizes;
  assert.ok(processed <= 10_000 && failed <= 10_000, `${processed}, ${failed}`);
  assert.ok(uniq <= 100_000, `${uniq}`);
});

it('a uniq token is kept for the store\'s dedup window only', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const s = new PresqueState();
  assert.equal(s.claimUniq('q', 'a', 'q:1'), true);
  assert.equal(s.claimUniq('q', 'a', 'q:1'), false, 'a repeat within the window');
  t.mock.timers.tick(301_000);
  assert.equal(s.claimUniq('q', 'b', 'q:2'), true);
  assert.equal(s.sizes.uniq, 1, 'the token of 301 s ago went');
});

it('deleted() forgets the queue\'s counters, tokens and worker registrations', () => {
  const s = new PresqueState();
  s.register('w1', 'gone');
  s.register('w1', 'kept');
  s.register('w2', 'gone');
  s.countProcessed('gone', 3, 'w1');
  s.countFailed('gone', undefined);
  s.claimUniq('gone', 't', 'gone:1');
  s.deleted('gone');
  assert.deepEqual(s.counters('gone'), { processed: 0, failed: 0 });
  assert.equal(s.claimUniq('gone', 't', 'gone:1'), true, 'the token is forgotten');
  assert.deepEqual(s.workersOf('gone'), []);
  assert.deepEqual(s.allWorkers(), ['w1'], 'w2 was on the deleted queue only');
  assert.deepEqual(s.workersOf('kept'), ['w1']);
});
