/**
 * SQS message metadata (sqs-contract.ts) on the stream path: a dispatch takes it out of the
 * queue with the message, the inbox item carries it (Delivery.meta), and every way back to the
 * queue (requeue before or after the item is acknowledged, leaseDispatched, a reaper) restores
 * it, so a later lease (an SQS receive) finds it; a message written and acknowledged takes it
 * along. The metadata and values hold line breaks and multi-byte text: an item keeps both in
 * one string.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Delivery, ReturnedMessage } from '../../../src/storage/stream-contract.js';
import { waitUntil } from '../../harness/wait.js';
import type { Cases } from './context.js';

const consumerIds = (n: number) => Array.from({ length: n }, () => `c-${randomUUID()}`);
const meta = (tag: string) => `{"a":"é☃ ${tag}"}\n#2`;

/** What the distributor hands back for an inbox item (core/distributor.ts returnable). */
function handedBack(d: Delivery): ReturnedMessage {
  const m: ReturnedMessage = { key: d.key, value: d.value };
  if (d.expiresAt !== undefined) m.expiresAt = d.expiresAt;
  if (d.meta !== undefined) m.meta = d.meta;
  return m;
}

export const SQS_STREAM_CASES: Cases = {
  'a dispatched message keeps its SQS metadata when requeued, before or after its item is acknowledged': async ({ store, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    const k1 = await store.enqueueWithMeta(q, 'first\nline ☃', meta('1'), { ttlSeconds: 60 });
    const [k2] = await store.enqueue(q, ['plain']);
    const k3 = await store.enqueueWithMeta(q, '😀7#3', meta('3'));
    const r = await store.dispatch(q, 10, 10);
    assert.deepEqual(r.inbox.map((d) => [d.key, d.value, d.meta]), [[k1, 'first\nline ☃', meta('1')], [k2, 'plain', undefined], [k3, '😀7#3', meta('3')]]);
    assert.ok(r.inbox[0]!.expiresAt !== undefined, 'the ttl rides along too');
    assert.deepEqual(await store.messageMeta(q, [k1, k2!, k3]), [null, null, null], 'the metadata left the queue with the messages');
    // Back before the ack (its consumer was gone at the fan-out), and after it (its consumer
    // dropped with the message unwritten); the later requeue goes in front, so oldest first.
    await store.requeue(q, r.inbox.slice(1).map(handedBack));
    await store.ackInbox(3);
    await store.requeue(q, r.inbox.slice(0, 1).map(handedBack));
    assert.deepEqual(await store.messageMeta(q, [k1, k2!, k3]), [meta('1'), null, meta('3')]);
    const leased = await store.lease(q, 10, 60_000);
    assert.deepEqual(leased.messages.map((m) => [m.key, m.value]), [[k1, 'first\nline ☃'], [k2, 'plain'], [k3, '😀7#3']]);
    assert.deepEqual(await store.messageMeta(q, [k1, k2!, k3]), [meta('1'), null, meta('3')], 'a receive finds the attributes');
    for (const m of leased.messages) assert.equal(await store.ack(q, m.receipt), 'ok');
    assert.deepEqual(await store.messageMeta(q, [k1, k2!, k3]), [null, null, null], 'acknowledged: the metadata went with the messages');
  },
  'a message written from the inbox takes its SQS metadata along': async ({ store, queue, register }) => {
    const q = queue();
    await store.setPolicy(q, 'roundrobin');
    await register(q, consumerIds(2));
    const keys = [await store.enqueueWithMeta(q, 'a', meta('a')), await store.enqueueWithMeta(q, 'b', meta('b'))];
    const r = await store.dispatch(q, 10, 10);
    assert.deepEqual(r.inbox.map((d) => d.meta), [meta('a'), meta('b')]);
    await store.ackInbox(2);
    assert.deepEqual(await store.messageMeta(q, keys), [null, null]);
    assert.deepEqual(await store.readInbox(10), []);
    assert.deepEqual(await store.peek(q, 10), []);
  },
  'leaseDispatched gives a dispatched message its SQS metadata back; it stays through a nack and goes on the ack': async ({ store, queue, register }) => {
    const q = queue();
    await store.setPolicy(q, 'roundrobin');
    await register(q, consumerIds(1));
    const k = await store.enqueueWithMeta(q, 'turn\n☃', meta('t'));
    const r = await store.dispatch(q, 1, 10);
    const [m] = await store.leaseDispatched(q, r.inbox.map(handedBack), 60_000);
    await store.ackInbox(1);
    assert.deepEqual([m?.key, m?.value], [k, 'turn\n☃']);
    assert.deepEqual(await store.messageMeta(q, [k]), [meta('t')], 'leased to the stream, the message has its metadata');
    assert.equal(await store.nack(q, m!.receipt, 0), 'ok');
    const again = await store.lease(q, 1, 60_000);
    assert.deepEqual(again.messages.map((x) => [x.key, x.attempts]), [[k, 2]]);
    assert.deepEqual(await store.messageMeta(q, [k]), [meta('t')]);
    assert.equal(await store.ack(q, again.messages[0]!.receipt), 'ok');
    assert.deepEqual(await store.messageMeta(q, [k]), [null]);
  },
  'a dead broker\'s inbox goes back to its queue with the SQS metadata of its messages': async ({ store, reopen, queue, register }) => {
    const q = queue();
    await register(q, consumerIds(1));
    const k1 = await store.enqueueWithMeta(q, 'in-inbox\n☃', meta('r'), { ttlSeconds: 60 });
    const [k2] = await store.enqueue(q, ['plain-in-inbox']);
    assert.deepEqual((await store.dispatch(q, 2, 10)).inbox.map((d) => d.meta), [meta('r'), undefined]);
    await store.heartbeat(50); // a backend with several brokers may reap this one soon after
    const s = await reopen();
    await waitUntil('the unacknowledged messages to return to their queue', async () => {
      await s.reap();
      return (await s.peek(q, 10)).length === 2;
    }, 10_000);
    assert.deepEqual(await s.messageMeta(q, [k1, k2!]), [meta('r'), null]);
    const leased = await s.lease(q, 10, 60_000);
    assert.deepEqual(leased.messages.map((m) => [m.key, m.value]), [[k1, 'in-inbox\n☃'], [k2, 'plain-in-inbox']]);
    for (const m of leased.messages) assert.equal(await s.ack(q, m.receipt), 'ok');
    assert.deepEqual(await s.messageMeta(q, [k1]), [null]);
  },
};
