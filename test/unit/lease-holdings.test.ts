/**
 * What a leased streaming consumer holds (core/lease-streams.ts): prefetch parsing, room, and
 * that a lease past its deadline stops counting; and the `settled` store event's Redis payload.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PREFETCH, Holdings, MAX_PREFETCH, parsePrefetch } from '../../src/core/lease-streams.js';
import { isBrokerError } from '../../src/errors.js';
import { decodeEvent, encodeEvent } from '../../src/storage/redis/redis-events.js';

describe('prefetch', () => {
  it('absent: the default; a whole number from 1 to the maximum; anything else INVALID_PREFETCH', () => {
    assert.equal(parsePrefetch(undefined), DEFAULT_PREFETCH);
    assert.equal(parsePrefetch('1'), 1);
    assert.equal(parsePrefetch(String(MAX_PREFETCH)), MAX_PREFETCH);
    for (const bad of ['0', String(MAX_PREFETCH + 1), '', '1.5', '-1', ' 2', 'x', '100000']) {
      assert.throws(() => parsePrefetch(bad), (err: unknown) => isBrokerError(err) && err.code === 'INVALID_PREFETCH', bad);
    }
  });
});

describe('Holdings', () => {
  it('room shrinks with each receipt held and grows when one is settled', () => {
    const h = new Holdings(60_000, 2);
    assert.equal(h.room, 2);
    h.hold('1.a');
    h.hold('2.b');
    assert.equal(h.room, 0);
    assert.equal(h.settle('1.a'), true);
    assert.equal(h.settle('1.a'), false, 'settled once');
    assert.equal(h.room, 1);
    assert.deepEqual(h.release(), ['2.b']);
    assert.equal(h.size, 0);
  });

  it('a lease past its deadline no longer counts against the prefetch', () => {
    const h = new Holdings(0, 1);
    h.hold('1.a');
    assert.equal(h.room, 1, 'its lease already ended: the message is back in the queue');
  });
});

describe('settled event on Redis', () => {
  it('round-trips, queue names with dots included', () => {
    const e = { type: 'settled', queue: 'jobs.v2', receipt: '12.AbC-_x' } as const;
    assert.equal(encodeEvent(e), 'a 12.AbC-_x jobs.v2');
    assert.deepEqual(decodeEvent(encodeEvent(e)), e);
    assert.equal(decodeEvent('a nospace'), undefined);
  });
});
