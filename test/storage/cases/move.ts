/**
 * The moveLeased cases of the conformance suite (lease-contract.ts): a leased message moves to
 * another queue as a new message at its end, its lease ends (the receipt is stale for ack,
 * nack, extend and another move), and a stale receipt moves nothing.
 */
import assert from 'node:assert/strict';
import { inflightOf, type Cases } from './context.js';

const LONG = 60_000;

export const MOVE_CASES: Cases = {
  'moveLeased appends the message to the target and ends its lease': async ({ store, queue, track }) => {
    const q = queue();
    const target = track(`${q}-moved`);
    await store.enqueue(target, ['already there']);
    const [key] = await store.enqueue(q, ['{"order": 9}', 'next']);
    const [m] = (await store.lease(q, 1, LONG)).messages;
    assert.ok(m && m.key === key, 'leased the first');
    assert.equal(await store.moveLeased(q, m.receipt, target), 'ok');

    assert.deepEqual(await inflightOf(store, [q]), [0], 'no longer in flight');
    assert.deepEqual((await store.browse(q, 'ready', 0, 10)).messages.map((x) => x.value), ['next'], 'gone from its queue');
    const moved = (await store.browse(target, 'ready', 0, 10)).messages;
    assert.deepEqual(moved.map((x) => [x.value, x.attempts]), [['already there', 0], ['{"order": 9}', 0]], 'at the end of the target, attempts afresh');
    assert.notEqual(moved[1]!.key, key, 'a new message of the target');
    assert.ok((await store.listQueues()).includes(target), 'the target is a listed queue');

    assert.equal(await store.ack(q, m.receipt), 'stale', 'the receipt is stale for ack');
    assert.equal(await store.nack(q, m.receipt, 0), 'stale', 'and for nack');
    assert.equal(await store.extend(q, m.receipt, LONG), 'stale', 'and for extend');
    assert.equal(await store.moveLeased(q, m.receipt, target), 'stale', 'and for a second move');
    assert.equal((await store.browse(target, 'ready', 0, 10)).total, 2, 'moved once');
    const taken = await store.take(target, 5);
    assert.deepEqual(taken.messages.map((x) => x.value), ['already there', '{"order": 9}'], 'taken from the target in order');
  },
  'moveLeased with a stale or malformed receipt moves nothing': async ({ store, queue, track }) => {
    const q = queue();
    const target = track(`${q}-moved`);
    await store.enqueue(q, ['a']);
    const [m] = (await store.lease(q, 1, LONG)).messages;
    assert.ok(m, 'leased');
    assert.equal(await store.moveLeased(q, 'nope', target), 'stale', 'malformed');
    assert.equal(await store.moveLeased(q, `${m.receipt.split('.')[0]}.0123456789abcdef`, target), 'stale', 'another token');
    assert.equal(await store.ack(q, m.receipt), 'ok', 'the lease was left alone');
    assert.equal(await store.moveLeased(q, m.receipt, target), 'stale', 'acknowledged');
    assert.equal((await store.browse(target, 'ready', 0, 10)).total, 0, 'nothing moved');
  },
  'a moved message can be leased from the target, and keeps its SQS metadata': async ({ store, queue, track }) => {
    const q = queue();
    const target = track(`${q}-moved`);
    const key = await store.enqueueWithMeta(q, 'with meta', '{"g":"grp-1"}');
    const [m] = (await store.lease(q, 1, LONG)).messages;
    assert.ok(m && m.key === key, 'leased');
    assert.equal(await store.moveLeased(q, m.receipt, target), 'ok');
    const [again] = (await store.lease(target, 1, LONG)).messages;
    assert.ok(again, 'leased from the target');
    assert.deepEqual([again.value, again.attempts], ['with meta', 1]);
    assert.deepEqual(await store.messageMeta(target, [again.key]), ['{"g":"grp-1"}'], 'its metadata went with it');
    assert.equal(await store.ack(target, again.receipt), 'ok');
  },
};
