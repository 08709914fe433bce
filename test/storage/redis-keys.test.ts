/**
 * Golden test: the Redis key layout must be the original RestMQ's, letter for letter
 * (reference/originals.md A.5.1), or an old broker sharing the Redis stops seeing our data.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DEDUP_SECONDS } from '../../src/storage/contract.js';
import { clusterKeys, clusterPresqueKeys, clusterQueueKeys, clusterQueueOf, defaultDeadLetter, keys, LEASE_LAYOUT, presqueKeys, QUEUESET, POLICY_CODES, STATUS_CODES } from '../../src/storage/redis/keys.js';

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

it("presque's keys are presque's own (originals.md B.4), so an old presque shares them", () => {
  assert.deepEqual(presqueKeys.processed('jobs'), ['processed', 'jobs']);
  assert.deepEqual(presqueKeys.failed('jobs'), ['failed', 'jobs']);
  assert.equal(presqueKeys.uniq('jobs'), 'jobs:uniq');
  assert.equal(presqueKeys.uniqJob('jobs'), 'foo:jobs:uniq_job', "presque's literal foo: prefix");
  assert.equal(presqueKeys.workers, 'workers');
  assert.equal(presqueKeys.queueWorkers('jobs'), 'workers:jobs');
  assert.equal(presqueKeys.workerProcessed, 'workers:processed');
  assert.equal(presqueKeys.workerFailed, 'workers:failed');
  // presque's workers:<q> of these would be its counter hashes, or keys of a queue named workers
  for (const q of ['processed', 'failed', 'queue', 'UUID', 'queuepolicy', 'uniq', 'delayed', '7']) {
    assert.equal(presqueKeys.queueWorkers(q), `restmq:presque:workers:${q}`);
  }
  assert.equal(presqueKeys.queueWorkers('queues'), 'workers:queues');
  assert.deepEqual(presqueKeys.body('jobs', 'jobs:7'), ['jobs:7', '']);
});

it("presque's cluster keys: a queue's in its slot, every worker key in one slot", () => {
  for (const k of [clusterPresqueKeys.processed('jobs')[0], clusterPresqueKeys.uniq('jobs'), clusterPresqueKeys.uniqJob('jobs'), clusterPresqueKeys.body('jobs', 'jobs:7')[0]]) {
    assert.equal(clusterQueueOf(k), 'jobs', k);
  }
  assert.deepEqual(clusterPresqueKeys.body('jobs', 'jobs:7'), [clusterKeys.bodies('jobs'), '7']);
  const workerKeys = [clusterPresqueKeys.workers, clusterPresqueKeys.queueWorkers('jobs'), clusterPresqueKeys.workerQueues('w'), clusterPresqueKeys.workerProcessed, clusterPresqueKeys.workerFailed];
  for (const k of workerKeys) assert.ok(k.startsWith('{restmq:presque}:'), k);
  assert.equal(new Set(workerKeys).size, workerKeys.length);
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
  assert.equal(keys.consumerReports('jobs', 'b-1'), 'restmq:consumerreports:jobs:b-1', 'beside the consumers ZSET, whose format stays');
  assert.equal(clusterQueueOf(clusterKeys.consumerReports('jobs', 'b-1')), 'jobs', 'in the slot of the queue');
  assert.equal(keys.rotation('jobs'), 'restmq:rr:jobs');
  assert.equal(keys.inbox('b-1'), 'restmq:inbox:b-1');
  assert.equal(keys.inboxPrefix + 'b-1', keys.inbox('b-1'));
  assert.equal(keys.events(0), 'restmq:events');
  assert.equal(keys.events(3), 'restmq:events:db3', 'pub/sub ignores SELECT: one channel per database');
});

it('lease keys live under restmq:, and never use the old broker\'s transient <key>:lock', () => {
  assert.equal(keys.leased('jobs'), 'restmq:leased:jobs');
  assert.equal(keys.leaseTokens('jobs'), 'restmq:lease:jobs');
  assert.equal(keys.attempts('jobs'), 'restmq:attempts:jobs');
  assert.equal(keys.settings('jobs'), 'restmq:settings:jobs');
  assert.equal(keys.leasedQueues, 'restmq:leasedqueues');
  assert.equal(keys.origin('jobs.dead'), 'restmq:origin:jobs.dead');
  assert.equal(defaultDeadLetter('jobs'), 'jobs.dead');
  for (const k of [keys.leased('q'), keys.leaseTokens('q'), keys.attempts('q'), keys.settings('q'), keys.origin('q')]) {
    assert.ok(!k.endsWith(':lock'), `${k} ends like a lock key`);
  }
});

it('delay and dedup keys live under restmq:, and a dedup id lasts five minutes', () => {
  assert.equal(keys.delayed('jobs'), 'restmq:delayed:jobs');
  assert.equal(keys.dedup('jobs', 'order-1'), 'restmq:dedup:jobs:order-1');
  assert.equal(keys.dedupPattern('jobs'), 'restmq:dedup:jobs:*', 'what deleteQueue scans for');
  assert.equal(keys.clock('jobs'), 'restmq:clock:jobs');
  assert.equal(keys.deadLettered, 'restmq:deadlettered');
  assert.equal(keys.polls('jobs'), 'restmq:polls:jobs');
  assert.equal(clusterKeys.polls('jobs'), '{jobs}:polls');
  assert.equal(DEDUP_SECONDS, 300);
});

it('the lease scripts\' layout spells the same keys as the key functions', () => {
  const layout = JSON.parse(LEASE_LAYOUT) as Record<string, [string, string] | string>;
  const build = (name: string, q: string) => {
    const t = layout[name];
    assert.ok(Array.isArray(t), `${name} is a [prefix, suffix] template`);
    return t[0] + q + t[1];
  };
  assert.deepEqual(Object.keys(layout).sort(), [
    'attempts', 'clock', 'consumers', 'counter', 'dead', 'deadlettered', 'delayed', 'leased', 'leasedqueues', 'message', 'meta', 'origin', 'pending',
    'policy', 'queueset', 'refcount', 'settings', 'status', 'tokens',
  ]);
  assert.deepEqual(layout.pending, ['', ':queue']);
  assert.deepEqual(layout.status, ['queuestat::', '']);
  assert.deepEqual(layout.message, ['', ':']);
  for (const q of ['jobs', 'a.b-c_d']) {
    assert.equal(build('pending', q), keys.pending(q));
    assert.equal(build('counter', q), keys.counter(q));
    assert.equal(build('message', q) + '7', keys.message(q, 7));
    assert.equal(build('status', q), keys.status(q));
    assert.equal(build('consumers', q), keys.consumers(q));
    assert.equal(build('leased', q), keys.leased(q));
    assert.equal(build('tokens', q), keys.leaseTokens(q));
    assert.equal(build('attempts', q), keys.attempts(q));
    assert.equal(build('settings', q), keys.settings(q));
    assert.equal(build('origin', q), keys.origin(q));
    assert.equal(build('delayed', q), keys.delayed(q));
    assert.equal(build('dead', q), defaultDeadLetter(q));
    assert.equal(build('policy', q), keys.policy(q));
    assert.equal(build('clock', q), keys.clock(q));
  }
  assert.equal(layout.queueset, 'QUEUESET');
  assert.equal(layout.leasedqueues, 'restmq:leasedqueues');
  assert.equal(layout.refcount, ':refcount');
  assert.equal(layout.meta, keys.metaSuffix);
  assert.equal(layout.deadlettered, 'restmq:deadlettered');
});

it('no key function exists without a golden value here', () => {
  assert.deepEqual(Object.keys(keys).sort(), [
    'attempts', 'authkey', 'brokers', 'clock', 'consumerMember', 'consumerReports', 'consumers', 'counter', 'deadLettered', 'dedup', 'dedupPattern', 'delayed', 'events', 'inbox', 'inboxPrefix',
    'leaseTokens', 'leased', 'leasedQueues', 'message', 'messagePrefix', 'meta', 'metaSuffix', 'origin', 'pending', 'pendingSuffix', 'policy',
    'polls', 'queueset', 'refcount', 'refcountSuffix', 'rotation', 'settings', 'sqsQueue', 'status',
  ]);
});

it('SQS metadata sits beside the message body, and SQS queue records under restmq:', () => {
  assert.equal(keys.metaSuffix, ':sqs');
  assert.equal(keys.meta('jobs:7'), 'jobs:7:sqs');
  assert.equal(keys.message('q', 3) + keys.metaSuffix, keys.meta(keys.message('q', 3)));
  assert.equal(keys.sqsQueue('jobs'), 'restmq:sqs:jobs');
});

it('the cluster layout puts every key of a queue under the hash tag {q}', () => {
  assert.equal(clusterKeys.counter('jobs'), '{jobs}:uuid');
  assert.equal(clusterKeys.pending('jobs'), '{jobs}:queue');
  assert.equal(clusterKeys.bodies('jobs'), '{jobs}:bodies');
  assert.equal(clusterKeys.inbox('jobs', 'b1'), '{jobs}:inbox:b1');
  assert.equal(clusterKeys.dedup('jobs', 'x:y'), '{jobs}:dedup:x:y');
  assert.equal(clusterKeys.move('jobs', 'a:7'), '{jobs}:move:a:7');
  assert.equal(clusterKeys.events('jobs'), '{jobs}:events');
  for (const k of [...clusterQueueKeys('a.b-c_d'), clusterKeys.inbox('a.b-c_d', 'b'), clusterKeys.dedup('a.b-c_d', '}{'),
    clusterKeys.move('a.b-c_d', 'x'), clusterKeys.events('a.b-c_d')]) {
    assert.equal(clusterQueueOf(k), 'a.b-c_d', `${k} hashes by the queue name`);
  }
  assert.equal(clusterKeys.queueIndex, 'restmq:queues');
  assert.equal(clusterQueueOf(clusterKeys.queueIndex), undefined, 'the index is in no queue\'s slot');
});
