/**
 * Golden test: the Redis key layout must be the original RestMQ's, letter for letter
 * (reference/originals.md A.5.1), or an old broker sharing the Redis stops seeing our data.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { keys, QUEUESET, POLICY_CODES, STATUS_CODES } from '../../src/storage/redis/keys.js';

it('every key function spells the legacy key', () => {
  assert.equal(QUEUESET, 'QUEUESET');
  assert.equal(keys.queueset, 'QUEUESET');
  assert.equal(keys.counter('jobs'), 'jobs:UUID');
  assert.equal(keys.pending('jobs'), 'jobs:queue');
  assert.equal(keys.message('jobs', 7), 'jobs:7');
  assert.equal(keys.message('jobs', '12'), 'jobs:12');
  assert.equal(keys.messagePrefix('jobs'), 'jobs:');
  assert.equal(keys.refcountSuffix, ':refcount');
  assert.equal(keys.refcount('jobs:7'), 'jobs:7:refcount');
  assert.equal(keys.policy('jobs'), 'jobs:queuepolicy');
  assert.equal(keys.status('x'), 'queuestat::x', 'two colons, as the original formats it');
  assert.equal(keys.authkey('k1'), 'AUTHKEY:k1');
});

it('a message key is the prefix plus the counter, and its refcount the key plus the suffix', () => {
  assert.equal(keys.messagePrefix('a.b-c_d') + '42', keys.message('a.b-c_d', 42));
  assert.equal(keys.message('q', 3) + keys.refcountSuffix, keys.refcount(keys.message('q', 3)));
});

it('stored codes are the original ones', () => {
  assert.deepEqual({ ...POLICY_CODES }, { broadcast: '1', roundrobin: '2' });
  assert.deepEqual({ ...STATUS_CODES }, { started: '1', stopped: '0' });
});

it('streaming keys live under restmq:, where an old broker never looks', () => {
  assert.equal(keys.pendingSuffix, ':queue');
  assert.equal(keys.messagePrefix('jobs').slice(0, -1) + keys.pendingSuffix, keys.pending('jobs'));
  assert.equal(keys.brokers, 'restmq:brokers');
  assert.equal(keys.consumers('jobs'), 'restmq:consumers:jobs');
  assert.equal(keys.consumerMember('b-1', 'c-2'), 'b-1/c-2');
  assert.equal(keys.rotation('jobs'), 'restmq:rr:jobs');
  assert.equal(keys.inbox('b-1'), 'restmq:inbox:b-1');
  assert.equal(keys.inboxPrefix + 'b-1', keys.inbox('b-1'));
  assert.equal(keys.events(0), 'restmq:events');
  assert.equal(keys.events(3), 'restmq:events:db3', 'pub/sub ignores SELECT: one channel per database');
});

it('no key function exists without a golden value here', () => {
  assert.deepEqual(Object.keys(keys).sort(), [
    'authkey', 'brokers', 'consumerMember', 'consumers', 'counter', 'events', 'inbox', 'inboxPrefix', 'message',
    'messagePrefix', 'pending', 'pendingSuffix', 'policy', 'queueset', 'refcount', 'refcountSuffix', 'rotation', 'status',
  ]);
});
